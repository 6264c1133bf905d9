package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// loadModelConfig reads an official pretraining YAML and returns its model configuration,
// printing the file's warnings.
func loadModelConfig(path string) (backbone.Config, error) {
	if path == "" {
		return backbone.Config{}, fmt.Errorf("--config is required")
	}
	cfg, warnings, err := officialcfg.LoadPretrain(path)
	if err != nil {
		return backbone.Config{}, err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	return backbone.FromPretrainConfig(cfg)
}

// clipModelFlags are the flags of encode and predict that name the weights, the YAML of
// their model (unless the weights describe it) and the input clip.
type clipModelFlags struct {
	config, checkpoint, input *string
}

// addClipModelFlags registers --config, --checkpoint (described by checkpointUsage) and
// --input on fs.
func addClipModelFlags(fs *flag.FlagSet, checkpointUsage string) clipModelFlags {
	return clipModelFlags{
		config:     fs.String("config", "", "pretraining YAML (official layout) describing the model; not needed with Hugging Face weights and their config.json"),
		checkpoint: fs.String("checkpoint", "", checkpointUsage),
		input:      fs.String("input", "", "clip .npy, float32 [B,3,T,H,W]"),
	}
}

// openWeights opens --checkpoint, recognised by content (torch.save zip, safetensors, or a
// Hugging Face folder), and returns the model: from --config when given, else from the
// weights' own description (a Hugging Face config.json, or the run description in a
// checkpoint written by vjepa pretrain).
func openWeights(ckptPath, configPath string) (backbone.ParamSource, backbone.Config, error) {
	src, hfCfg, err := backbone.OpenParamSource(ckptPath)
	if err != nil {
		return nil, backbone.Config{}, err
	}
	if configPath == "" && hfCfg != nil {
		return src, *hfCfg, nil
	}
	if configPath == "" {
		src.Close()
		return nil, backbone.Config{}, fmt.Errorf("--config is required: %s does not describe its model (Hugging Face weights with their config.json, and checkpoints written by vjepa pretrain, need none)", ckptPath)
	}
	c, err := loadModelConfig(configPath)
	if err != nil {
		src.Close()
		return nil, backbone.Config{}, err
	}
	return src, c, nil
}

// withFileMaskTokens takes the number of predictor mask tokens from the weights: a YAML gives
// one per mask configuration (and clip length), but the official hub builds the released
// V-JEPA 2 predictors with 10 whatever the training YAML said (src/hub/backbones.py).
func withFileMaskTokens(c backbone.Config, src backbone.ParamSource) backbone.Config {
	if n := src.MaskTokens(); n > 0 {
		c.NumMaskTokens = n
	}
	return c
}

// readClip reads a float32 [B,3,T,H,W] clip and checks it fits model c.
func readClip(path string, c backbone.Config) (backbone.HostTensor, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return backbone.HostTensor{}, err
	}
	if a.DType != npy.Float32 {
		return backbone.HostTensor{}, fmt.Errorf("%s: clip must be float32, got %s", path, a.DType)
	}
	if len(a.Shape) != 5 || a.Shape[1] != 3 {
		return backbone.HostTensor{}, fmt.Errorf("%s: clip must have shape [B,3,T,H,W], got %v", path, a.Shape)
	}
	t, h, w := a.Shape[2], a.Shape[3], a.Shape[4]
	if t%c.Tubelet != 0 || h%c.PatchSize != 0 || w%c.PatchSize != 0 || t == 0 || h == 0 || w == 0 {
		return backbone.HostTensor{}, fmt.Errorf("%s: clip of %d frames × %d×%d px does not tile into tubelets of %d frames and %d px patches", path, t, h, w, c.Tubelet, c.PatchSize)
	}
	return backbone.HostTensor{Shape: a.Shape, F32: a.F32}, nil
}

// readIndices reads int64 [B,K] token indices and checks them against b and n tokens.
func readIndices(path string, b, n int) (backbone.HostTensor, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return backbone.HostTensor{}, err
	}
	if a.DType != npy.Int64 {
		return backbone.HostTensor{}, fmt.Errorf("%s: indices must be int64, got %s", path, a.DType)
	}
	if len(a.Shape) != 2 || a.Shape[0] != b || a.Shape[1] == 0 {
		return backbone.HostTensor{}, fmt.Errorf("%s: indices must have shape [%d,K] with K ≥ 1, got %v", path, b, a.Shape)
	}
	for i, v := range a.I64 {
		if v < 0 || v >= int64(n) {
			return backbone.HostTensor{}, fmt.Errorf("%s: index %d at row %d is out of range [0,%d)", path, v, i/a.Shape[1], n)
		}
	}
	return backbone.HostTensor{Shape: a.Shape, I64: a.I64}, nil
}

func numTokens(c backbone.Config, clip backbone.HostTensor) int {
	return clip.Shape[2] / c.Tubelet * (clip.Shape[3] / c.PatchSize) * (clip.Shape[4] / c.PatchSize)
}

func writeTokens(path string, h backbone.HostTensor) error {
	return npy.WriteFile(path, npy.NewFloat32(h.Shape, h.F32))
}

func runEncode(_ context.Context, args []string) error {
	fs := newFlagSet("encode", "")
	m := addClipModelFlags(fs, "weights: official checkpoint or released .pt/.pth.tar, Hugging Face model.safetensors, or a folder with model.safetensors and config.json")
	encKey := fs.String("encoder", "target_encoder", "which encoder of the checkpoint: target_encoder or encoder (Hugging Face weights hold one)")
	ctxPath := fs.String("context-indices", "", "optional int64 [B,K] token indices to keep")
	out := fs.String("out", "", "output .npy, float32 [B,N,D] (or [B,K,D])")
	var xf executionFlags
	xf.register(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if *m.checkpoint == "" || *m.input == "" || *out == "" {
		return fmt.Errorf("--checkpoint, --input and --out are required")
	}
	if *encKey != "target_encoder" && *encKey != "encoder" {
		return fmt.Errorf("--encoder must be target_encoder or encoder, got %q", *encKey)
	}
	ck, c, err := openWeights(*m.checkpoint, *m.config)
	if err != nil {
		return err
	}
	defer ck.Close()
	clip, err := readClip(*m.input, c)
	if err != nil {
		return err
	}
	var ctx *backbone.HostTensor
	if *ctxPath != "" {
		idx, err := readIndices(*ctxPath, clip.Shape[0], numTokens(c, clip))
		if err != nil {
			return err
		}
		ctx = &idx
	}
	params, err := ck.ReadParams(*encKey, backbone.EncoderSpecs(c), c, false)
	if err != nil {
		return err
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	if c.Exec, err = xf.execution(backend, ""); err != nil {
		return err
	}
	r, err := backbone.NewEncoderRunner(backend, c, params, false)
	if err != nil {
		return err
	}
	// One call: the weights go in as inputs, held once, and the host copies are released
	// before the encoder runs (docs/performance.md, encode memory).
	r.WeightsAsInputs()
	params = nil
	debug.FreeOSMemory()
	tokens, _, err := r.Run(clip, ctx)
	if err != nil {
		return err
	}
	return writeTokens(*out, tokens)
}

func runPredict(_ context.Context, args []string) error {
	fs := newFlagSet("predict", "")
	m := addClipModelFlags(fs, "weights with encoder and predictor: official checkpoint or released .pt, Hugging Face model.safetensors, or its folder")
	ctxPath := fs.String("context-indices", "", "int64 [B,Kc] context token indices")
	tgtPath := fs.String("target-indices", "", "int64 [B,Kt] target token indices")
	maskIndex := fs.Int("mask-index", 0, "mask token to use (V-JEPA: the mask configuration; V-JEPA 2 training uses 0, the Hugging Face VJEPA2Model 1)")
	out := fs.String("out", "", "output .npy, float32 [B,Kt,D]")
	var xf executionFlags
	xf.register(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if *m.checkpoint == "" || *m.input == "" || *ctxPath == "" || *tgtPath == "" || *out == "" {
		return fmt.Errorf("--checkpoint, --input, --context-indices, --target-indices and --out are required")
	}
	ck, c, err := openWeights(*m.checkpoint, *m.config)
	if err != nil {
		return err
	}
	defer ck.Close()
	c = withFileMaskTokens(c, ck)
	if *maskIndex < 0 || *maskIndex >= c.NumMaskTokens {
		return fmt.Errorf("--mask-index %d out of range: the model has %d mask tokens", *maskIndex, c.NumMaskTokens)
	}
	clip, err := readClip(*m.input, c)
	if err != nil {
		return err
	}
	n := numTokens(c, clip)
	ctxIdx, err := readIndices(*ctxPath, clip.Shape[0], n)
	if err != nil {
		return err
	}
	tgtIdx, err := readIndices(*tgtPath, clip.Shape[0], n)
	if err != nil {
		return err
	}
	encParams, err := ck.ReadParams("encoder", backbone.EncoderSpecs(c), c, false)
	if err != nil {
		return err
	}
	predParams, err := ck.ReadParams("predictor", backbone.PredictorSpecs(c), c, false)
	if err != nil {
		return err
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	if c.Exec, err = xf.execution(backend, ""); err != nil {
		return err
	}
	er, err := backbone.NewEncoderRunner(backend, c, encParams, false)
	if err != nil {
		return err
	}
	z, _, err := er.Run(clip, &ctxIdx)
	if err != nil {
		return err
	}
	pr, err := backbone.NewPredictorRunner(backend, c, predParams, false)
	if err != nil {
		return err
	}
	pred, _, err := pr.Run(z, ctxIdx, tgtIdx, *maskIndex, clip.Shape[2], clip.Shape[3], clip.Shape[4])
	if err != nil {
		return err
	}
	return writeTokens(*out, pred)
}
