package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/probe"
)

// runClassify applies a saved attentive probe (ours, or an official V-JEPA or V-JEPA 2 probe
// checkpoint) to frozen encoder tokens, the eval YAML giving the probe's structure.
func runClassify(_ context.Context, args []string) error {
	fs := newFlagSet("classify", "")
	config := fs.String("config", "", "frozen-evaluation YAML (V-JEPA or V-JEPA 2 layout) or official preset name: gives the probe's width, heads, depth and classes")
	ckptPath := fs.String("probe-checkpoint", "", "probe checkpoint: official (classifier / classifiers list) or ours")
	features := fs.String("features", "", "frozen tokens .npy, float32 [B,N,D]")
	head := fs.Int("head", 0, "which probe of the checkpoint (one per multihead_kwargs entry in V-JEPA 2 checkpoints)")
	out := fs.String("out", "", "output .npy: logits, float32 [B,num_classes]")
	pooled := fs.String("pooled", "", "optional output .npy: the pooler's output, float32 [B,D]")
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if *config == "" || *ckptPath == "" || *features == "" || *out == "" {
		return errors.New("--config, --probe-checkpoint, --features and --out are required")
	}
	cfg, warnings, err := probe.LoadEvalConfig(*config)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	m, err := probe.ModelFromEvalConfig(cfg)
	if err != nil {
		return err
	}
	x, err := readTokens(*features, m.EmbedDim)
	if err != nil {
		return err
	}
	ck, err := probe.LoadCheckpoint(*ckptPath, m)
	if err != nil {
		return err
	}
	if *head < 0 || *head >= len(ck.Heads) {
		return fmt.Errorf("--head %d is out of range: %s holds %d probe head(s)", *head, *ckptPath, len(ck.Heads))
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	a, err := probe.Apply(backend, m, ck.Heads[*head], x)
	if err != nil {
		return err
	}
	if err := writeTokens(*out, a.Logits); err != nil {
		return err
	}
	if *pooled != "" {
		return writeTokens(*pooled, a.Pooled)
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
