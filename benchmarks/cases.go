package benchmarks

import (
	"fmt"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

// EncoderCase is one encoder forward benchmark: a model at a clip size and batch.
type EncoderCase struct {
	Name   string // row label, e.g. "ViT-T 8×112"
	Ref    string // the reference kit's config name, e.g. "vit_tiny-8x112" (see CaseID)
	Config backbone.Config
	Batch  int
	Heavy  bool // skipped by a quick run
	// OnRequest cases (the official shapes) run only when named in --cases.
	OnRequest bool
	// GPUOnly cases are refused on a backend that computes on the CPU.
	GPUOnly bool
	// WeightsOnce passes the weights as graph inputs, held once, as `vjepa encode` does
	// (backbone.EncoderRunner.WeightsAsInputs): the official-shape cases, whose one call is
	// dominated by the clip's products and whose peak is encode's. The other cases hold them
	// as constants, packed once, as probe extraction and embed do over many calls.
	WeightsOnce bool
}

// StepCase is one pretraining step benchmark: a model, its mask configurations and a batch.
type StepCase struct {
	Name   string
	Ref    string // the reference kit's config name, e.g. "cpu-default" (see CaseID)
	Config backbone.Config
	Masks  []pretrain.MaskConfig
	Batch  int
	Heavy  bool // skipped by a quick run
}

// PresetAt returns the preset model name constructed for frames×crop clips with the given
// spatial patch size.
func PresetAt(name string, frames, crop, patch int) (backbone.Config, error) {
	c, err := backbone.Preset(name)
	if err != nil {
		return backbone.Config{}, err
	}
	c.NumFrames, c.CropSize, c.PatchSize = frames, crop, patch
	return c, nil
}

// DefaultEncoderCases are the encoder forward benchmarks of the issues: batch 2 for ViT-T
// 8×112, ViT-S 16×224 and ViT-B 16×224.
func DefaultEncoderCases() ([]EncoderCase, error) {
	specs := []struct {
		label, ref, preset string
		frames, crop       int
		heavy              bool
	}{
		{"ViT-T 8×112", "vit_tiny-8x112", "vit_tiny", 8, 112, false},
		{"ViT-S 16×224", "vit_small-16x224", "vit_small", 16, 224, false},
		{"ViT-B 16×224", "vit_base-16x224", "vit_base", 16, 224, true},
	}
	out := make([]EncoderCase, 0, len(specs))
	for _, s := range specs {
		c, err := PresetAt(s.preset, s.frames, s.crop, 16)
		if err != nil {
			return nil, err
		}
		out = append(out, EncoderCase{Name: s.label, Ref: s.ref, Config: c, Batch: 2, Heavy: s.heavy})
	}
	return out, nil
}

// DefaultStepCases are the pretraining step benchmarks of the issues: batch 4 for ViT-T
// 8×112, ViT-S 16×224 and ViT-B 16×224 with the official masks, and the built-in
// cpu-default config at its own batch size with its masks.
func DefaultStepCases() ([]StepCase, error) {
	var out []StepCase
	for _, s := range []struct {
		label, ref, preset string
		frames, crop       int
		heavy              bool
	}{
		{"ViT-T 8×112", "vit_tiny-8x112", "vit_tiny", 8, 112, false},
		{"ViT-S 16×224", "vit_small-16x224", "vit_small", 16, 224, true},
		{"ViT-B 16×224", "vit_base-16x224", "vit_base", 16, 224, true},
	} {
		c, err := PresetAt(s.preset, s.frames, s.crop, 16)
		if err != nil {
			return nil, err
		}
		out = append(out, StepCase{Name: s.label, Ref: s.ref, Config: c, Masks: pretrain.DefaultMaskConfigs(), Batch: 4, Heavy: s.heavy})
	}
	cpu, err := CPUDefaultStepCase()
	if err != nil {
		return nil, err
	}
	return append(out, cpu), nil
}

// CPUDefaultStepCase is the step of the built-in cpu-default pretraining config: its model,
// masks and batch size.
func CPUDefaultStepCase() (StepCase, error) {
	cfg, _, err := pretrain.LoadConfig(pretrain.DefaultConfigName)
	if err != nil {
		return StepCase{}, fmt.Errorf("config %s: %w", pretrain.DefaultConfigName, err)
	}
	model, err := backbone.FromPretrainConfig(cfg)
	if err != nil {
		return StepCase{}, fmt.Errorf("config %s: %w", pretrain.DefaultConfigName, err)
	}
	var masks []pretrain.MaskConfig
	for _, m := range cfg.Mask {
		mc := pretrain.MaskConfig{AspectRatio: m.AspectRatio, NumBlocks: m.NumBlocks, SpatialScale: m.SpatialScale,
			TemporalScale: m.TemporalScale, MaxTemporalKeep: m.MaxTemporalKeep}
		if m.MaxKeep != nil {
			mc.MaxKeep = *m.MaxKeep
		}
		masks = append(masks, mc)
	}
	name := fmt.Sprintf("%s (%s %d×%d, patch %d)", pretrain.DefaultConfigName, cfg.Arch.ModelName, model.NumFrames, model.CropSize, model.PatchSize)
	return StepCase{Name: name, Ref: pretrain.DefaultConfigName, Config: model, Masks: masks, Batch: cfg.Data.BatchSize}, nil
}

// StepBatch returns one training batch for c: a random clip [batch,3,T,H,W] and one draw of
// masks (fixed seeds, so every call has the same shapes and the step compiles once).
func StepBatch(c backbone.Config, masks []pretrain.MaskConfig, batch int) (pretrain.Batch, error) {
	tg, hg, wg := c.Grid()
	s, err := pretrain.NewMaskSampler(tg, hg, wg, masks, 1)
	if err != nil {
		return pretrain.Batch{}, err
	}
	drawn, err := s.Sample(0, batch, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return pretrain.Batch{}, err
	}
	b := pretrain.Batch{Clip: randomClip(c, batch, rand.New(rand.NewPCG(3, 4)))}
	for _, m := range drawn {
		b.Context = append(b.Context, backbone.HostTensor{Shape: []int{batch, m.Kc()}, I64: m.FlatContext()})
		b.Target = append(b.Target, backbone.HostTensor{Shape: []int{batch, m.Kp()}, I64: m.FlatTarget()})
	}
	return b, nil
}

// randomClip is a standard-normal clip [batch,3,T,H,W] at the size c is constructed for,
// drawn from r.
func randomClip(c backbone.Config, batch int, r *rand.Rand) backbone.HostTensor {
	t := backbone.HostTensor{Shape: []int{batch, 3, c.NumFrames, c.CropSize, c.CropSize},
		F32: make([]float32, batch*3*c.NumFrames*c.CropSize*c.CropSize)}
	for i := range t.F32 {
		t.F32[i] = float32(r.NormFloat64())
	}
	return t
}

// PretrainStepFLOPs counts the matrix-product FLOPs of one training step on b: the target
// encoder forward on the full clip (no backward) and, per mask configuration, the context
// encoder on the Kc context tokens and the predictor on Kc+Kp tokens (with its D→Dp
// embedding of the context and Dp→D projection of the targets), forward and backward
// (backward = 2× forward). The optimiser, the EMA, normalisations, softmax, GELU and the loss
// are not counted.
func PretrainStepFLOPs(c backbone.Config, b pretrain.Batch) float64 {
	batch := float64(b.Clip.Shape[0])
	n := c.NumTokens()
	total := EncoderForwardFLOPs(c, n)
	p := c
	p.EmbedDim, p.Depth, p.Tubelet, p.PatchSize = c.PredEmbedDim, c.PredDepth, 0, 0
	for i := range b.Context {
		kc, kp := b.Context[i].Shape[1], b.Target[i].Shape[1]
		enc := EncoderForwardFLOPs(c, kc)
		pred := EncoderForwardFLOPs(p, kc+kp) + 2*float64(kc)*float64(c.EmbedDim*c.PredEmbedDim) + 2*float64(kp)*float64(c.EmbedDim*c.PredEmbedDim)
		total += 3 * (enc + pred)
	}
	return batch * total
}
