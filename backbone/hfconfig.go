package backbone

import (
	"encoding/json"
	"fmt"
	"os"
)

// hfConfig is the Hugging Face VJEPA2Config as config.json stores it
// (transformers: src/transformers/models/vjepa2/configuration_vjepa2.py). save_pretrained
// leaves out fields equal to the class defaults, so parsing starts from those.
type hfConfig struct {
	ModelType        string   `json:"model_type"`
	Architectures    []string `json:"architectures,omitempty"`
	PatchSize        int      `json:"patch_size"`
	CropSize         int      `json:"crop_size"`
	FramesPerClip    int      `json:"frames_per_clip"`
	TubeletSize      int      `json:"tubelet_size"`
	HiddenSize       int      `json:"hidden_size"`
	InChans          int      `json:"in_chans"`
	NumHeads         int      `json:"num_attention_heads"`
	NumLayers        int      `json:"num_hidden_layers"`
	DropPathRate     float64  `json:"drop_path_rate"`
	MLPRatio         float64  `json:"mlp_ratio"`
	LayerNormEps     float64  `json:"layer_norm_eps"`
	QKVBias          bool     `json:"qkv_bias"`
	AttnProbsDropout float64  `json:"attention_probs_dropout_prob"`
	HiddenAct        string   `json:"hidden_act"`
	InitializerRange float64  `json:"initializer_range"`
	AttentionDropout float64  `json:"attention_dropout"`
	NumPoolerLayers  int      `json:"num_pooler_layers"`
	PredHiddenSize   int      `json:"pred_hidden_size"`
	PredNumHeads     int      `json:"pred_num_attention_heads"`
	PredNumLayers    int      `json:"pred_num_hidden_layers"`
	PredMaskTokens   int      `json:"pred_num_mask_tokens"`
	PredZeroInitMask bool     `json:"pred_zero_init_mask_tokens"`
	PredMLPRatio     float64  `json:"pred_mlp_ratio"`
	ImageSize        int      `json:"image_size"`
	TorchDType       string   `json:"torch_dtype,omitempty"`
}

// hfDefaults are VJEPA2Config's defaults (the vjepa2-vitl-fpc64-256 architecture).
func hfDefaults() hfConfig {
	return hfConfig{
		ModelType: "vjepa2", PatchSize: 16, CropSize: 256, FramesPerClip: 64, TubeletSize: 2,
		HiddenSize: 1024, InChans: 3, NumHeads: 16, NumLayers: 24, MLPRatio: 4, LayerNormEps: 1e-6,
		QKVBias: true, HiddenAct: "gelu", InitializerRange: 0.02, NumPoolerLayers: 3,
		PredHiddenSize: 384, PredNumHeads: 12, PredNumLayers: 12, PredMaskTokens: 10,
		PredZeroInitMask: true, PredMLPRatio: 4,
	}
}

// LoadHFConfig reads a Hugging Face VJEPA2 config.json and returns the model it describes:
// a RoPE encoder and predictor of the given sizes, built for frames_per_clip frames of
// crop_size pixels.
func LoadHFConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseHFConfig(raw)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseHFConfig parses the content of a VJEPA2 config.json (see [LoadHFConfig]).
func ParseHFConfig(raw []byte) (Config, error) {
	h := hfDefaults()
	if err := json.Unmarshal(raw, &h); err != nil {
		return Config{}, fmt.Errorf("not a Hugging Face config.json: %w", err)
	}
	return configFromHF(h)
}

// configFromHF checks that h describes a model this package runs and returns its Config.
func configFromHF(h hfConfig) (Config, error) {
	switch {
	case h.ModelType != "vjepa2":
		return Config{}, fmt.Errorf("model_type %q is not a V-JEPA 2 model (want \"vjepa2\")", h.ModelType)
	case h.InChans != 3:
		return Config{}, fmt.Errorf("in_chans %d is not supported (RGB clips only)", h.InChans)
	case h.LayerNormEps != LayerNormEps:
		return Config{}, fmt.Errorf("layer_norm_eps %g is not supported (the V-JEPA 2 models use %g)", h.LayerNormEps, LayerNormEps)
	case h.HiddenAct != "gelu":
		return Config{}, fmt.Errorf("hidden_act %q is not supported (only the exact \"gelu\")", h.HiddenAct)
	case !h.QKVBias:
		return Config{}, fmt.Errorf("qkv_bias false is not supported")
	case h.PredMaskTokens <= 0:
		return Config{}, fmt.Errorf("pred_num_mask_tokens must be positive, got %d", h.PredMaskTokens)
	}
	c := Config{
		Name: "custom", EmbedDim: h.HiddenSize, Depth: h.NumLayers, NumHeads: h.NumHeads, MLPRatio: h.MLPRatio,
		PatchSize: h.PatchSize, Tubelet: h.TubeletSize, NumFrames: h.FramesPerClip, CropSize: h.CropSize,
		UseRoPE:      true,
		PredEmbedDim: h.PredHiddenSize, PredDepth: h.PredNumLayers, PredNumHeads: h.PredNumHeads,
		PredMLPRatio: h.PredMLPRatio, NumMaskTokens: h.PredMaskTokens, UseMaskTokens: true,
		ZeroInitMaskTkns: h.PredZeroInitMask,
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// HFConfigJSON returns the config.json of c as a Hugging Face VJEPA2Model (every field
// written out). Only RoPE models with a predictor have an HF layout.
func HFConfigJSON(c Config) ([]byte, error) {
	if err := checkHFExportable(c); err != nil {
		return nil, err
	}
	h := hfDefaults()
	fillHFConfig(&h, c)
	h.Architectures = []string{"VJEPA2Model"}
	out, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// fillHFConfig sets the sizes of h from c.
func fillHFConfig(h *hfConfig, c Config) {
	h.PatchSize, h.CropSize, h.FramesPerClip, h.TubeletSize = c.PatchSize, c.CropSize, c.NumFrames, c.Tubelet
	h.HiddenSize, h.NumHeads, h.NumLayers, h.MLPRatio = c.EmbedDim, c.NumHeads, c.Depth, c.MLPRatio
	h.PredHiddenSize, h.PredNumHeads, h.PredNumLayers = c.PredEmbedDim, c.PredHeads(), c.PredDepth
	h.PredMaskTokens, h.PredZeroInitMask, h.PredMLPRatio = c.NumMaskTokens, c.ZeroInitMaskTkns, c.PredMLPRatio
	h.ImageSize, h.TorchDType = c.CropSize, "float32"
}

func checkHFExportable(c Config) error {
	if !c.UseRoPE {
		return fmt.Errorf("model %q uses sin-cos position tables: the Hugging Face VJEPA2 layout only holds RoPE (V-JEPA 2) models", c.Name)
	}
	if c.PredDepth == 0 || c.NumMaskTokens == 0 {
		return fmt.Errorf("model %q has no predictor: VJEPA2Model needs one", c.Name)
	}
	return c.Validate()
}
