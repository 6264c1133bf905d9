package backbone

import (
	"fmt"
	"slices"

	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// defaultMLPRatio is the MLP ratio of custom sizes that do not set mlp_ratio.
const defaultMLPRatio = 4

// encoderSize names the keys describing the encoder size in one section of a file.
type encoderSize struct {
	section                   string // "model" or "pretrain"
	name                      string
	embedDim, depth, numHeads int
	mlpRatio                  float64
}

// encoder returns the encoder size: the preset named by model_name, overridden by the
// custom-size keys; when model_name is not a preset, embed_dim, depth and num_heads are
// all required.
func (s encoderSize) encoder(pos officialcfg.Positions) (Config, error) {
	key := func(k string) string { return s.section + "." + k }
	for _, v := range []struct {
		k string
		v float64
	}{{"embed_dim", float64(s.embedDim)}, {"depth", float64(s.depth)}, {"num_heads", float64(s.numHeads)}, {"mlp_ratio", s.mlpRatio}} {
		if v.v < 0 {
			return Config{}, fmt.Errorf("%s: %s must be positive, got %g", pos.At(key(v.k)), key(v.k), v.v)
		}
	}
	custom := s.embedDim != 0 || s.depth != 0 || s.numHeads != 0 || s.mlpRatio != 0
	cfg, err := Preset(s.name)
	if err != nil {
		if !custom {
			if s.name == "" {
				return Config{}, fmt.Errorf("%s: %s is missing (or give embed_dim, depth and num_heads)", pos.At(key("model_name")), key("model_name"))
			}
			return Config{}, fmt.Errorf("%s: %s: %w", pos.At(key("model_name")), key("model_name"), err)
		}
		if s.embedDim == 0 || s.depth == 0 || s.numHeads == 0 {
			return Config{}, fmt.Errorf("%s: %s %q is not a preset, so %s, %s and %s are all required",
				pos.At(key("model_name")), key("model_name"), s.name, key("embed_dim"), key("depth"), key("num_heads"))
		}
		cfg, _ = Preset("vit_base") // V-JEPA defaults for everything but the size
		cfg.MLPRatio = defaultMLPRatio
	}
	if !custom {
		return cfg, nil
	}
	before := cfg
	if s.embedDim != 0 {
		cfg.EmbedDim = s.embedDim
	}
	if s.depth != 0 {
		cfg.Depth = s.depth
	}
	if s.numHeads != 0 {
		cfg.NumHeads = s.numHeads
	}
	if s.mlpRatio != 0 {
		cfg.MLPRatio = s.mlpRatio
	}
	if !sameSize(cfg, before) || err != nil {
		cfg.Name = "custom"
	}
	return cfg, nil
}

// sameSize reports whether a and b describe the same encoder size.
func sameSize(a, b Config) bool {
	return a.EmbedDim == b.EmbedDim && a.Depth == b.Depth && a.NumHeads == b.NumHeads && a.MLPRatio == b.MLPRatio
}

// positive checks that a required integer key is set to a positive value.
func positive(pos officialcfg.Positions, key string, v int) error {
	if !pos.Has(key) && v == 0 {
		return fmt.Errorf("%s: %s is missing", pos.File(), key)
	}
	if v <= 0 {
		return fmt.Errorf("%s: %s must be a positive integer, got %d", pos.At(key), key, v)
	}
	return nil
}

// FromPretrainConfig returns the encoder and predictor configuration described by an official
// pretraining file: the size
// from model.model_name (or the custom-size keys), the clip geometry from data.num_frames,
// crop_size, patch_size and tubelet_size, model.uniform_power, and a predictor of
// model.pred_depth × pred_embed_dim with one mask token per mask configuration.
func FromPretrainConfig(c *officialcfg.PretrainConfig) (Config, error) {
	pos := c.Positions()
	m := c.Arch
	cfg, err := encoderSize{"model", m.ModelName, m.EmbedDim, m.Depth, m.NumHeads, m.MLPRatio}.encoder(pos)
	if err != nil {
		return Config{}, err
	}
	// V-JEPA 2 gives one clip length per dataset (data.dataset_fpcs); the model is built for
	// the longest, with one mask token per (clip length, mask configuration) pair
	// (vjepa2:app/vjepa/train.py).
	frames, framesKey, lengths := c.Data.NumFrames, "data.num_frames", 1
	if len(c.Data.DatasetFPCs) > 0 {
		frames, framesKey, lengths = 0, "data.dataset_fpcs", len(c.Data.DatasetFPCs)
		for i, f := range c.Data.DatasetFPCs {
			if f <= 0 {
				return Config{}, fmt.Errorf("%s: data.dataset_fpcs.%d must be a positive integer, got %d", pos.At("data.dataset_fpcs"), i, f)
			}
			frames = max(frames, f)
		}
	}
	for _, k := range []struct {
		key string
		v   int
	}{
		{framesKey, frames}, {"data.crop_size", c.Data.CropSize},
		{"data.patch_size", c.Data.PatchSize}, {"data.tubelet_size", c.Data.TubeletSize},
		{"model.pred_depth", m.PredDepth}, {"model.pred_embed_dim", m.PredEmbedDim},
	} {
		if err := positive(pos, k.key, k.v); err != nil {
			return Config{}, err
		}
	}
	if m.PredNumHeads < 0 {
		return Config{}, fmt.Errorf("%s: model.pred_num_heads must be positive, got %d", pos.At("model.pred_num_heads"), m.PredNumHeads)
	}
	if len(c.Mask) == 0 {
		return Config{}, fmt.Errorf("%s: mask: at least one mask configuration is required (it sets the number of mask tokens)", pos.At("mask"))
	}
	cfg.NumFrames, cfg.CropSize = frames, c.Data.CropSize
	cfg.PatchSize, cfg.Tubelet = c.Data.PatchSize, c.Data.TubeletSize
	cfg.UniformPower = m.UniformPower
	cfg.UseRoPE = cfg.UseRoPE || m.UseRoPE // a *_rope preset, or model.use_rope
	cfg.PredDepth, cfg.PredEmbedDim, cfg.PredNumHeads = m.PredDepth, m.PredEmbedDim, m.PredNumHeads
	cfg.PredMLPRatio = defaultMLPRatio
	cfg.NumMaskTokens = len(c.Mask) * lengths
	cfg.UseMaskTokens, cfg.ZeroInitMaskTkns = m.UseMaskTokens, m.ZeroInitMaskTokens
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", c.File, err)
	}
	return cfg, nil
}

// FromEvalConfig returns the configuration of the frozen encoder of an official evaluation
// file: the size from pretrain.model_name
// (or the custom-size keys), pretrain.frames_per_clip frames, the effective [officialcfg.EvalConfig.Resolution],
// pretrain.patch_size, tubelet_size and uniform_power. The predictor fields are zero.
func FromEvalConfig(c *officialcfg.EvalConfig) (Config, error) {
	pos := c.Positions()
	p := c.Pretrain
	cfg, err := encoderSize{"pretrain", p.ModelName, p.EmbedDim, p.Depth, p.NumHeads, p.MLPRatio}.encoder(pos)
	if err != nil {
		return Config{}, err
	}
	resKey := "data.resolution"
	if c.IsVideo() {
		resKey = "optimization.resolution"
	}
	for _, k := range []struct {
		key string
		v   int
	}{
		{"pretrain.patch_size", p.PatchSize}, {"pretrain.tubelet_size", p.TubeletSize},
		{"pretrain.frames_per_clip", p.FramesPerClip}, {resKey, c.Resolution()},
	} {
		if err := positive(pos, k.key, k.v); err != nil {
			return Config{}, err
		}
	}
	if p.FramesPerClip == 1 {
		return Config{}, fmt.Errorf("%s: pretrain.frames_per_clip is 1 (the official default), which describes an image encoder; only video encoders are supported, set it to the pretraining clip length (16)",
			pos.At("pretrain.frames_per_clip"))
	}
	cfg.NumFrames, cfg.CropSize = p.FramesPerClip, c.Resolution()
	cfg.PatchSize, cfg.Tubelet = p.PatchSize, p.TubeletSize
	cfg.UniformPower = p.UniformPower
	cfg.UseRoPE = cfg.UseRoPE || p.UseRoPE
	cfg.PredDepth, cfg.PredEmbedDim, cfg.PredNumHeads, cfg.PredMLPRatio = 0, 0, 0, 0
	cfg.NumMaskTokens, cfg.UseMaskTokens, cfg.ZeroInitMaskTkns = 0, false, false
	if cfg.OutLayers, err = outLayers(c.Wrapper.OutLayers, cfg.Depth); err != nil {
		return Config{}, fmt.Errorf("%s: model_kwargs.wrapper_kwargs.out_layers: %w", pos.At("model_kwargs.wrapper_kwargs.out_layers"), err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", c.File, err)
	}
	return cfg, nil
}

// outLayers returns the blocks a multilevel evaluation outputs, in block order: the official
// encoder tests each block's index for membership in out_layers, so the list's order and
// repeats do not matter.
func outLayers(list []int, depth int) ([]int, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := slices.Clone(list)
	slices.Sort(out)
	out = slices.Compact(out)
	if out[0] < 0 || out[len(out)-1] >= depth {
		return nil, fmt.Errorf("block indices %v must lie in [0,%d) for an encoder of depth %d", list, depth, depth)
	}
	return out, nil
}

// EvalDType is the type the official frozen evaluation of c computes the encoder and probe
// in, as a meta.dtype spelling for [ResolvePrecision]: "float16" when
// optimization.use_bfloat16 is set — the official evals enter
// torch.cuda.amp.autocast(dtype=torch.float16, enabled=use_bfloat16), float16 whatever the
// key's name — and "float32" otherwise.
func EvalDType(c *officialcfg.EvalConfig) string {
	if c.Optimization.UseBfloat16 {
		return "float16"
	}
	return "float32"
}
