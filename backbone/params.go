package backbone

import (
	"fmt"

	"math/rand/v2"
	"sort"
	"strings"
)

// ParamSpec names one parameter tensor of a model, with the official (bare) state-dict name.
type ParamSpec struct {
	Name  string
	Shape []int
	// Frozen parameters (the sin-cos tables) are never trained.
	Frozen bool
}

// Size is the number of elements.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// BlockSpecs lists the parameters of one pre-norm transformer block of width d and MLP
// hidden h with the official module names (timm's Block: norm1, attn.qkv, attn.proj, norm2,
// mlp.fc1, mlp.fc2): the encoder's, the predictor's and the probes' self-attention blocks.
func BlockSpecs(prefix string, d, h int) []ParamSpec {
	return []ParamSpec{
		{Name: prefix + "norm1.weight", Shape: []int{d}},
		{Name: prefix + "norm1.bias", Shape: []int{d}},
		{Name: prefix + "attn.qkv.weight", Shape: []int{3 * d, d}},
		{Name: prefix + "attn.qkv.bias", Shape: []int{3 * d}},
		{Name: prefix + "attn.proj.weight", Shape: []int{d, d}},
		{Name: prefix + "attn.proj.bias", Shape: []int{d}},
		{Name: prefix + "norm2.weight", Shape: []int{d}},
		{Name: prefix + "norm2.bias", Shape: []int{d}},
		{Name: prefix + "mlp.fc1.weight", Shape: []int{h, d}},
		{Name: prefix + "mlp.fc1.bias", Shape: []int{h}},
		{Name: prefix + "mlp.fc2.weight", Shape: []int{d, h}},
		{Name: prefix + "mlp.fc2.bias", Shape: []int{d}},
	}
}

// EncoderSpecs lists the encoder parameters in the official state-dict order (a RoPE encoder
// has no pos_embed).
func EncoderSpecs(c Config) []ParamSpec {
	d := c.EmbedDim
	var specs []ParamSpec
	if !c.UseRoPE {
		specs = append(specs, ParamSpec{Name: "pos_embed", Shape: []int{1, c.NumTokens(), d}, Frozen: true})
	}
	specs = append(specs,
		ParamSpec{Name: "patch_embed.proj.weight", Shape: []int{d, 3, c.Tubelet, c.PatchSize, c.PatchSize}},
		ParamSpec{Name: "patch_embed.proj.bias", Shape: []int{d}})
	for i := 0; i < c.Depth; i++ {
		specs = append(specs, BlockSpecs(fmt.Sprintf("blocks.%d.", i), d, c.MLPHidden())...)
	}
	return append(specs,
		ParamSpec{Name: "norm.weight", Shape: []int{d}},
		ParamSpec{Name: "norm.bias", Shape: []int{d}})
}

// PredictorSpecs lists the predictor parameters in the official state-dict order (a RoPE
// predictor has no predictor_pos_embed).
func PredictorSpecs(c Config) []ParamSpec {
	d, p := c.EmbedDim, c.PredEmbedDim
	var specs []ParamSpec
	if !c.UseRoPE {
		specs = append(specs, ParamSpec{Name: "predictor_pos_embed", Shape: []int{1, c.NumTokens(), p}, Frozen: true})
	}
	specs = append(specs,
		ParamSpec{Name: "predictor_embed.weight", Shape: []int{p, d}},
		ParamSpec{Name: "predictor_embed.bias", Shape: []int{p}})
	for i := 0; i < c.NumMaskTokens; i++ {
		specs = append(specs, ParamSpec{Name: fmt.Sprintf("mask_tokens.%d", i), Shape: []int{1, 1, p}})
	}
	for i := 0; i < c.PredDepth; i++ {
		specs = append(specs, BlockSpecs(fmt.Sprintf("predictor_blocks.%d.", i), p, c.PredMLPHidden())...)
	}
	return append(specs,
		ParamSpec{Name: "predictor_norm.weight", Shape: []int{p}},
		ParamSpec{Name: "predictor_norm.bias", Shape: []int{p}},
		ParamSpec{Name: "predictor_proj.weight", Shape: []int{d, p}},
		ParamSpec{Name: "predictor_proj.bias", Shape: []int{d}})
}

// HostParams are parameter values on the host, by official bare name, float32 row-major.
type HostParams map[string][]float32

// Names returns the parameter names in sorted order (the order graph inputs use).
func (h HostParams) Names() []string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Clone returns a deep copy.
func (h HostParams) Clone() HostParams {
	out := make(HostParams, len(h))
	for k, v := range h {
		out[k] = append([]float32(nil), v...)
	}
	return out
}

// CheckAgainst verifies that h holds exactly the tensors of specs with the right sizes, and
// returns one error listing every missing, unexpected and mis-sized name.
func (h HostParams) CheckAgainst(specs []ParamSpec) error {
	var missing, unexpected, missized []string
	want := map[string]bool{}
	for _, s := range specs {
		want[s.Name] = true
		v, ok := h[s.Name]
		if !ok {
			missing = append(missing, s.Name)
		} else if len(v) != s.Size() {
			missized = append(missized, fmt.Sprintf("%s (want %v = %d values, got %d)", s.Name, s.Shape, s.Size(), len(v)))
		}
	}
	for n := range h {
		if !want[n] {
			unexpected = append(unexpected, n)
		}
	}
	return mismatchError(missing, unexpected, missized)
}

func mismatchError(missing, unexpected, missized []string) error {
	if len(missing)+len(unexpected)+len(missized) == 0 {
		return nil
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(missing, ", "))
	}
	if len(unexpected) > 0 {
		parts = append(parts, "unexpected: "+strings.Join(unexpected, ", "))
	}
	if len(missized) > 0 {
		parts = append(parts, "wrong shape: "+strings.Join(missized, ", "))
	}
	return fmt.Errorf("parameters do not match the model: %s", strings.Join(parts, "; "))
}

// InitEncoder returns freshly initialised encoder parameters, as V-JEPA's init_video_model
// leaves them: every Linear weight and the Conv3d kernel ~ trunc-normal(0, 0.02) truncated at
// ±2 absolute, biases 0, LayerNorm weight 1 and bias 0 (the re-init overwrites the depth
// rescaling, docs/model.md#initialisation), and the exact sin-cos table.
func InitEncoder(c Config, rng *rand.Rand) (HostParams, error) {
	if c.UseRoPE {
		return initParams(EncoderSpecs(c), rng, nil), nil
	}
	t, h, w := c.Grid()
	table, err := SinCos3D(c.EmbedDim, t, h, w, c.UniformPower)
	if err != nil {
		return nil, err
	}
	return initParams(EncoderSpecs(c), rng, map[string][]float32{"pos_embed": table}), nil
}

// InitPredictor returns freshly initialised predictor parameters (mask tokens zero when
// ZeroInitMaskTkns, else trunc-normal 0.02).
func InitPredictor(c Config, rng *rand.Rand) (HostParams, error) {
	var fixed map[string][]float32
	if !c.UseRoPE {
		t, h, w := c.Grid()
		table, err := SinCos3D(c.PredEmbedDim, t, h, w, c.UniformPower)
		if err != nil {
			return nil, err
		}
		fixed = map[string][]float32{"predictor_pos_embed": table}
	}
	p := initParams(PredictorSpecs(c), rng, fixed)
	if c.ZeroInitMaskTkns {
		for i := 0; i < c.NumMaskTokens; i++ {
			clear(p[fmt.Sprintf("mask_tokens.%d", i)])
		}
	}
	return p, nil
}

func initParams(specs []ParamSpec, rng *rand.Rand, fixed map[string][]float32) HostParams {
	out := make(HostParams, len(specs))
	for _, s := range specs {
		if v, ok := fixed[s.Name]; ok {
			out[s.Name] = v
			continue
		}
		v := make([]float32, s.Size())
		InitDefault(s.Name, v, rng)
		out[s.Name] = v
	}
	return out
}

// IsNorm reports whether the parameter name belongs to a LayerNorm: every official LayerNorm
// module name contains "norm" (norm, norm1, norm2, predictor_norm) and no other does.
func IsNorm(name string) bool { return strings.Contains(name, "norm") }

// InitDefault fills v, the values of the parameter name, with the official init of the
// transformer weights (_init_weights of the ViT, predictor and pooler): biases 0, LayerNorm
// weights 1, every other weight trunc-normal(0.02).
func InitDefault(name string, v []float32, rng *rand.Rand) {
	switch {
	case strings.HasSuffix(name, ".bias"):
		// zeros
	case IsNorm(name) && strings.HasSuffix(name, ".weight"):
		for i := range v {
			v[i] = 1
		}
	default:
		TruncNormal(v, 0.02, rng)
	}
}

// TruncNormal fills v with N(0, std²) samples truncated to [-2, 2] (absolute bounds, as the
// official trunc_normal_ with a=-2, b=2), by rejection.
func TruncNormal(v []float32, std float64, rng *rand.Rand) {
	for i := range v {
		for {
			x := rng.NormFloat64() * std
			if x >= -2 && x <= 2 {
				v[i] = float32(x)
				break
			}
		}
	}
}

// NumParams counts the trainable (non-frozen) parameters of specs.
func NumParams(specs []ParamSpec) int {
	n := 0
	for _, s := range specs {
		if !s.Frozen {
			n += s.Size()
		}
	}
	return n
}
