package backbone

import (
	"fmt"
	"sort"
	"strings"
)

// Config describes an encoder (and, through the Pred* fields, its predictor).
//
// The zero value is not usable; start from a preset with [Preset] and adjust.
type Config struct {
	// Name is the preset name ("vit_large", …) or "custom".
	Name string

	EmbedDim  int     // D
	Depth     int     // number of encoder blocks
	NumHeads  int     // attention heads (head dim = EmbedDim/NumHeads)
	MLPRatio  float64 // MLP hidden = int(EmbedDim*MLPRatio)
	PatchSize int     // spatial patch side (16)
	Tubelet   int     // temporal patch size (2)
	NumFrames int     // frames of the clip the model is constructed for (16)
	CropSize  int     // spatial size the model is constructed for (224)

	// UniformPower selects the sin-cos table layout: true gives each axis 2·ceil(D/6) columns
	// (all released V-JEPA configs), false gives time D/2 and height and width D/4 each.
	UniformPower bool

	// UseRoPE selects V-JEPA 2 positions: 3-D rotary embeddings on q and k in every encoder
	// and predictor attention (model.use_rope), and no additive sin-cos table.
	UseRoPE bool

	// Predictor.
	PredEmbedDim     int // 384 in the official configs
	PredDepth        int // 12 in the official configs
	PredNumHeads     int // 0 means "same as the encoder" (the V-JEPA rule)
	PredMLPRatio     float64
	NumMaskTokens    int  // one per mask configuration (2 in V-JEPA)
	UseMaskTokens    bool // always true in V-JEPA
	ZeroInitMaskTkns bool // zero_init_mask_tokens

	// OutLayers, when set, makes the encoder output the blocks of these indices (0-based,
	// increasing) instead of the last one: each block's output through the final norm, the
	// blocks concatenated along the tokens, [B, len(OutLayers)·N, D]. It is V-JEPA 2's
	// multilevel evaluation (wrapper_kwargs.out_layers of the Diving-48 and Jester configs:
	// the official VisionTransformer appends norm(x) after each listed block and the
	// multilevel ClipAggregation concatenates them on dim 1). Empty for every other use.
	OutLayers []int `json:"out_layers,omitempty"`

	// Exec says how the blocks are computed (checkpointing, mixed precision, attention); it
	// is a run setting, not part of the model, and is never serialised.
	Exec Execution `json:"-"`
}

// LayerNormEps is the epsilon of every encoder and predictor LayerNorm (1e-6).
const LayerNormEps = 1e-6

// TargetNormEps is the epsilon of the affine-free LayerNorm applied to target features (1e-5).
const TargetNormEps = 1e-5

type sizePreset struct {
	dim, depth, heads int
	mlpRatio          float64
	rope              bool
	vjepa2            bool // a V-JEPA 2 name: its configs give the predictor 12 heads
}

// presets are the official vision_transformer.py sizes (docs/model.md#presets), plus the V-JEPA 2 ones
// (vjepa2:src/models/vision_transformer.py). The V-JEPA 2 file spells vit_gigantic_xformers'
// ratio "mpl_ratio", which VisionTransformer swallows in **kwargs, so its MLP ratio is the
// default 4. The *_rope names switch RoPE on; V-JEPA 2 configs do it with model.use_rope.
// V-JEPA 2's predictor has 12 heads in every official config (pred_num_heads: 12 in
// vjepa2:configs/train/*), V-JEPA's takes the encoder's.
var presets = map[string]sizePreset{
	"vit_tiny":                {192, 12, 3, 4, false, false},
	"vit_small":               {384, 12, 6, 4, false, false},
	"vit_base":                {768, 12, 12, 4, false, false},
	"vit_large":               {1024, 24, 16, 4, false, false},
	"vit_huge":                {1280, 32, 16, 4, false, false},
	"vit_giant":               {1408, 40, 16, 48.0 / 11, false, false},
	"vit_gigantic":            {1664, 48, 16, 64.0 / 13, false, false},
	"vit_giant_xformers":      {1408, 40, 22, 48.0 / 11, false, true},
	"vit_gigantic_xformers":   {1664, 48, 26, 4, false, true},
	"vit_large_rope":          {1024, 24, 16, 4, true, true},
	"vit_huge_rope":           {1280, 32, 16, 4, true, true},
	"vit_giant_rope":          {1408, 40, 16, 48.0 / 11, true, true},
	"vit_giant_xformers_rope": {1408, 40, 22, 48.0 / 11, true, true},
}

// PresetNames lists the official model names accepted by [Preset].
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns the configuration of an official model size with the V-JEPA defaults:
// patch 16, tubelet 2, 16 frames, 224 px, uniform_power, predictor 12×384 with 2 mask tokens
// (12 predictor heads for the V-JEPA 2 names, the encoder's otherwise).
func Preset(name string) (Config, error) {
	p, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown model %q (valid: %s)", name, strings.Join(PresetNames(), ", "))
	}
	predHeads := 0
	if p.vjepa2 {
		predHeads = 12
	}
	return Config{
		Name: name, EmbedDim: p.dim, Depth: p.depth, NumHeads: p.heads, MLPRatio: p.mlpRatio,
		PatchSize: 16, Tubelet: 2, NumFrames: 16, CropSize: 224, UniformPower: true, UseRoPE: p.rope,
		PredEmbedDim: 384, PredDepth: 12, PredNumHeads: predHeads, PredMLPRatio: 4, NumMaskTokens: 2,
		UseMaskTokens: true, ZeroInitMaskTkns: true,
	}, nil
}

// MLPHidden is the hidden width of the encoder MLP.
func (c Config) MLPHidden() int { return int(float64(c.EmbedDim) * c.MLPRatio) }

// PredMLPHidden is the hidden width of the predictor MLP.
func (c Config) PredMLPHidden() int { return int(float64(c.PredEmbedDim) * c.PredMLPRatio) }

// PredHeads is the number of predictor heads (the encoder's unless set).
func (c Config) PredHeads() int {
	if c.PredNumHeads > 0 {
		return c.PredNumHeads
	}
	return c.NumHeads
}

// Grid returns the token grid (time, height, width) of the construction size.
func (c Config) Grid() (t, h, w int) {
	return c.NumFrames / c.Tubelet, c.CropSize / c.PatchSize, c.CropSize / c.PatchSize
}

// NumTokens is the number of tokens of a full clip at the construction size.
func (c Config) NumTokens() int {
	t, h, w := c.Grid()
	return t * h * w
}

// Validate reports the first inconsistency of c.
func (c Config) Validate() error {
	switch {
	case c.EmbedDim <= 0 || c.Depth <= 0 || c.NumHeads <= 0:
		return fmt.Errorf("model %q: embed_dim, depth and num_heads must be positive (got %d, %d, %d)", c.Name, c.EmbedDim, c.Depth, c.NumHeads)
	case c.EmbedDim%c.NumHeads != 0:
		return fmt.Errorf("model %q: embed_dim %d is not divisible by num_heads %d", c.Name, c.EmbedDim, c.NumHeads)
	case c.PatchSize <= 0 || c.Tubelet <= 0:
		return fmt.Errorf("model %q: patch_size and tubelet_size must be positive", c.Name)
	case c.NumFrames%c.Tubelet != 0:
		return fmt.Errorf("model %q: num_frames %d is not a multiple of tubelet_size %d", c.Name, c.NumFrames, c.Tubelet)
	case c.CropSize%c.PatchSize != 0:
		return fmt.Errorf("model %q: crop_size %d is not a multiple of patch_size %d", c.Name, c.CropSize, c.PatchSize)
	case c.MLPHidden() <= 0:
		return fmt.Errorf("model %q: mlp_ratio %g gives no hidden units", c.Name, c.MLPRatio)
	}
	for i, l := range c.OutLayers {
		if l < 0 || l >= c.Depth || (i > 0 && l <= c.OutLayers[i-1]) {
			return fmt.Errorf("model %q: out_layers %v must be increasing block indices in [0,%d)", c.Name, c.OutLayers, c.Depth)
		}
	}
	if c.UseRoPE && RoPEWidth(c.EmbedDim/c.NumHeads) == 0 {
		return fmt.Errorf("model %q: head dim %d is too small for 3-D RoPE (it needs at least 6)", c.Name, c.EmbedDim/c.NumHeads)
	}
	if c.PredDepth > 0 {
		if c.UseRoPE && c.PredEmbedDim > 0 && c.PredEmbedDim%c.PredHeads() == 0 && RoPEWidth(c.PredEmbedDim/c.PredHeads()) == 0 {
			return fmt.Errorf("model %q: predictor head dim %d is too small for 3-D RoPE (it needs at least 6)", c.Name, c.PredEmbedDim/c.PredHeads())
		}
		if c.PredEmbedDim <= 0 || c.PredEmbedDim%c.PredHeads() != 0 {
			return fmt.Errorf("model %q: pred_embed_dim %d is not divisible by %d predictor heads", c.Name, c.PredEmbedDim, c.PredHeads())
		}
		if c.NumMaskTokens <= 0 {
			return fmt.Errorf("model %q: the predictor needs at least one mask token", c.Name)
		}
	}
	return nil
}
