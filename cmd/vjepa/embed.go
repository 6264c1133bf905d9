package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/probe"
)

func runEmbed(ctx context.Context, args []string) error {
	fs := newFlagSet("embed", "")
	dataset := fs.String("dataset", "", "evaluation config giving the model and clip protocol (a built-in name, k400, ssv2, in1k or an official preset)")
	config := fs.String("config", "", "official frozen-evaluation YAML instead of --dataset")
	checkpoint := fs.String("checkpoint", "", "backbone checkpoint (default: the config's)")
	encoder := fs.String("encoder", "", "checkpoint key of the backbone: target_encoder (default, falling back to encoder as the official loader) or encoder")
	input := fs.String("input", "", "what to embed: a list file (path label per line), an ImageFolder root, a built-in data set name, or comma-separated video files")
	split := fs.String("split", "val", "split of an ImageFolder or built-in data set")
	probeCkpt := fs.String("probe-checkpoint", "", "pool with this trained attentive probe instead of the mean token")
	probeType := fs.String("probe", probe.Attentive, "type of --probe-checkpoint: attentive or attentive4")
	head := fs.Int("head", 0, "head of --probe-checkpoint to use")
	out := fs.String("out", "", "output .npy, float32 [N,D]; an index file <out>.index.tsv lists row, label and source")
	batch := fs.Int("batch-size", 0, fmt.Sprintf("clips per encoder call (0: the largest that fits the device's memory, at most %d); "+
		"a batch that cannot fit stops before the weights are loaded", maxAutoEncoderBatch))
	workers := fs.Int("workers", 2, "data loading workers")
	var xf executionFlags
	xf.register(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if *input == "" || *out == "" {
		return errors.New("--input and --out are required")
	}
	src := *config
	if src == "" {
		src = *dataset
	}
	if src == "" {
		return errors.New("--dataset or --config is required (it sets the model and the clip protocol)")
	}
	cfg, _, err := probe.LoadEvalConfig(src)
	if err != nil {
		return err
	}
	e, err := probe.ExperimentFromConfig("embed", cfg, "")
	if err != nil {
		return err
	}
	ckpt := *checkpoint
	if ckpt == "" {
		if ckpt, err = probe.ConfigCheckpoint(cfg); err != nil {
			return err
		}
	}
	listPath, cleanup, err := inputList(*input)
	if err != nil {
		return err
	}
	defer cleanup()
	ds, err := probe.OpenEval(listPath, *split, e.Data.Protocol, 0)
	if err != nil {
		return err
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	if e.Model.Exec, err = xf.execution(backend, backbone.EvalDType(cfg)); err != nil {
		return err
	}
	encBatch, err := encoderBatch(backend, e.Model, fmt.Sprintf("embed: encoder forward %s %d×%d", e.Model.Name,
		e.Model.NumFrames, e.Model.CropSize), *batch, maxAutoEncoderBatch)
	if err != nil {
		return err
	}
	e.Checkpoint, e.EncoderKey = ckpt, *encoder
	params, err := e.PretrainedEncoder()
	if err != nil {
		return err
	}
	enc, err := probe.NewEncoder(backend, e.Model, params)
	if err != nil {
		return err
	}
	pool, err := embedPooler(backend, e, cfg.Data.NumClasses, *probeCkpt, *probeType, *head)
	if err != nil {
		return err
	}
	embs, err := probe.Embed(ctx, enc, pool, ds, encBatch, *workers, os.Stderr)
	if err != nil {
		return err
	}
	d := e.Model.EmbedDim
	flat := make([]float32, 0, len(embs)*d)
	for _, v := range embs {
		flat = append(flat, v.Vector...)
	}
	if err := npy.WriteFile(*out, npy.NewFloat32([]int{len(embs), d}, flat)); err != nil {
		return err
	}
	return writeIndex(*out+".index.tsv", embs)
}

// embedPooler is how embed pools an encoder's tokens: their mean without a probe checkpoint,
// else head `head` of the trained probe of the given type in ckptPath.
func embedPooler(backend compute.Backend, e *probe.Experiment, numClasses int, ckptPath, probeType string, head int) (*probe.Pooler, error) {
	if ckptPath == "" {
		return probe.NewMeanPooler(backend, e.Model.EmbedDim)
	}
	kind, err := probe.ParseKind(probeType)
	if err != nil {
		return nil, fmt.Errorf("--probe: %w", err)
	}
	m := e.ProbeModel(kind, numClasses)
	pc, err := probe.LoadCheckpoint(ckptPath, m)
	if err != nil {
		return nil, err
	}
	if head < 0 || head >= len(pc.Heads) {
		return nil, fmt.Errorf("--head %d: %s has %d heads", head, ckptPath, len(pc.Heads))
	}
	return probe.NewPooler(backend, m, pc.Heads[head])
}

// inputList returns a list file or folder for input; comma-separated video files are
// written to a temporary list file.
func inputList(input string) (string, func(), error) {
	if !strings.Contains(input, ",") {
		ext := strings.ToLower(filepath.Ext(input))
		if ext != ".mp4" && ext != ".avi" && ext != ".mkv" && ext != ".webm" && ext != ".mov" {
			return input, func() {}, nil
		}
	}
	f, err := os.CreateTemp("", "vjepa-embed-*.csv")
	if err != nil {
		return "", nil, err
	}
	for _, p := range strings.Split(input, ",") {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", nil, err
		}
		fmt.Fprintf(f, "%s 0\n", abs)
	}
	if err := f.Close(); err != nil {
		return "", nil, err
	}
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

func writeIndex(path string, embs []probe.Embedding) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "row\tlabel\tsource")
	for i, e := range embs {
		fmt.Fprintf(w, "%d\t%d\t%s\n", i, e.Label, e.Source)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
