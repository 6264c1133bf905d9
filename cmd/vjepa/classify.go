package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/probe"
)

// runClassify classifies with an attentive probe, on one of three inputs: frozen tokens
// (--features: the probe alone, the eval YAML giving its structure), normalised clips (--input)
// or video files (--video). The last two run a whole classifier: a Hugging Face
// VJEPA2ForVideoClassification folder, or an encoder checkpoint with a probe checkpoint.
func runClassify(ctx context.Context, args []string) error {
	fs := newFlagSet("classify", "")
	config := fs.String("config", "", "frozen-evaluation YAML (V-JEPA or V-JEPA 2 layout) or official preset name: gives the probe's width, heads, depth and classes; with --video also the evaluation protocol (frames, frame step, segments, views, resolution), for a Hugging Face folder too")
	checkpoint := fs.String("checkpoint", "", "with --input or --video: a Hugging Face VJEPA2ForVideoClassification folder, or the encoder checkpoint of --probe-checkpoint")
	ckptPath := fs.String("probe-checkpoint", "", "probe checkpoint: official (classifier / classifiers list) or ours")
	features := fs.String("features", "", "frozen tokens .npy, float32 [B,N,D]")
	input := fs.String("input", "", "normalised clips .npy, float32 [B,3,T,H,W] (the official layout)")
	var videos []string
	fs.Func("video", "video file to classify, or a list file (path [label] per line) or folder of videos for batch mode; repeatable, further videos may follow the flags", func(v string) error {
		videos = append(videos, v)
		return nil
	})
	head := fs.Int("head", 0, "which probe of the checkpoint (one per multihead_kwargs entry in V-JEPA 2 checkpoints)")
	out := fs.String("out", "", "output: logits .npy [B,num_classes] for --features and --input; for --video a results file (.csv or .jsonl) that a rerun resumes")
	pooled := fs.String("pooled", "", "optional output .npy with --features: the pooler's output, float32 [B,D]")
	classNames := fs.String("class-names", "", "file with one class name per line (default: the folder's id2label, else class indices)")
	officialEps := fs.Bool("official-eps", false, "run a Hugging Face classifier's pooler LayerNorms at the official probe's eps 1e-5 instead of config.layer_norm_eps")
	var vo videoOptions
	vo.register(fs)
	var xf executionFlags
	xf.register(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	videos = append(videos, fs.Args()...)
	src := classifierSource{checkpoint: *checkpoint, probe: *ckptPath, config: *config, head: *head,
		classNames: *classNames, officialEps: *officialEps, exec: xf}
	modes := 0
	for _, given := range []bool{*features != "", *input != "", len(videos) > 0} {
		if given {
			modes++
		}
	}
	switch {
	case modes != 1:
		return errors.New("give exactly one of --features (frozen tokens), --input (clips .npy) and --video (video files)")
	case *features != "":
		return classifyFeatures(bf, src, *features, *out, *pooled)
	case *input != "":
		return classifyClips(bf, src, *input, *out)
	}
	return classifyVideos(ctx, bf, src, videos, vo, *out)
}

// classifyClips runs a whole classifier on normalised clips and writes the logits.
func classifyClips(bf *backendFlags, src classifierSource, input, out string) error {
	if out == "" {
		return errors.New("--out is required with --input")
	}
	c, err := src.load()
	if err != nil {
		return err
	}
	clips, err := readClip(input, c.Backbone)
	if err != nil {
		return err
	}
	r, err := src.runner(bf, c)
	if err != nil {
		return err
	}
	logits, err := r.Logits(clips)
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	return writeTokens(out, logits)
}

// classifyFeatures applies a saved attentive probe (ours, or an official V-JEPA or V-JEPA 2
// probe checkpoint) to frozen encoder tokens, the eval YAML giving the probe's structure.
func classifyFeatures(bf *backendFlags, src classifierSource, features, out, pooled string) error {
	if src.config == "" || src.probe == "" || out == "" {
		return errors.New("--config, --probe-checkpoint, --features and --out are required")
	}
	cfg, err := src.evalConfig()
	if err != nil {
		return err
	}
	m, head, _, err := src.loadProbe(cfg)
	if err != nil {
		return err
	}
	x, err := readTokens(features, m.EmbedDim)
	if err != nil {
		return err
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	if m.Exec, err = src.exec.execution(backend, backbone.EvalDType(cfg)); err != nil {
		return err
	}
	a, err := probe.Apply(backend, m, head, x)
	if err != nil {
		return err
	}
	if err := writeTokens(out, a.Logits); err != nil {
		return err
	}
	if pooled != "" {
		return writeTokens(pooled, a.Pooled)
	}
	return nil
}

// readTokens reads float32 frozen tokens [B,N,D] and checks their width against d.
func readTokens(path string, d int) (backbone.HostTensor, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return backbone.HostTensor{}, err
	}
	if a.DType != npy.Float32 {
		return backbone.HostTensor{}, fmt.Errorf("%s: tokens must be float32, got %s", path, a.DType)
	}
	if len(a.Shape) != 3 || a.Shape[0] == 0 || a.Shape[1] == 0 {
		return backbone.HostTensor{}, fmt.Errorf("%s: tokens must have shape [B,N,D] with B, N ≥ 1, got %v", path, a.Shape)
	}
	if a.Shape[2] != d {
		return backbone.HostTensor{}, fmt.Errorf("%s: tokens have width D=%d, the config's probe expects %d", path, a.Shape[2], d)
	}
	return backbone.HostTensor{Shape: a.Shape, F32: a.F32}, nil
}
