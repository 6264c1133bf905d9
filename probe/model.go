package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive

	"github.com/vjepa-go/vjepa/backbone"
)

// Kinds of probe.
const (
	// Attentive is the V-JEPA attentive probe: one learnable query, one cross-attention block
	// with MLP, then a linear classifier (jepa:src/models/attentive_pooler.py).
	Attentive = "attentive"
	// Attentive4 is the V-JEPA 2 four-layer probe: three self-attention blocks over the
	// encoder tokens, then the cross-attention block and the linear classifier.
	Attentive4 = "attentive4"
	// AvgPoolLinear averages the tokens and applies a linear classifier (paper Table 3).
	AvgPoolLinear = "avgpool-linear"
)

// LayerNormEps is the epsilon of the probe's LayerNorms (PyTorch's default, 1e-5).
const LayerNormEps = 1e-5

// Model describes one probe head.
type Model struct {
	Kind       string
	EmbedDim   int // D of the frozen encoder
	NumHeads   int // attention heads (16 in the official configs)
	NumClasses int
}

// Validate reports an inconsistent model.
func (m Model) Validate() error {
	switch m.Kind {
	case Attentive, Attentive4, AvgPoolLinear:
	default:
		return fmt.Errorf("unknown probe type %q (valid: %s, %s, %s)", m.Kind, Attentive, Attentive4, AvgPoolLinear)
	}
	if m.NumClasses < 2 {
		return fmt.Errorf("probe needs at least 2 classes, got %d", m.NumClasses)
	}
	if m.Kind != AvgPoolLinear && (m.NumHeads < 1 || m.EmbedDim%m.NumHeads != 0) {
		return fmt.Errorf("probe: embed dim %d is not divisible by %d heads", m.EmbedDim, m.NumHeads)
	}
	return nil
}

// selfBlocks is the number of self-attention blocks before the cross-attention.
func (m Model) selfBlocks() int {
	if m.Kind == Attentive4 {
		return 3
	}
	return 0
}

// Specs lists the probe's parameters with the official names (without the DDP "module."
// prefix). The V-JEPA checkpoints also hold pooler.cross_attention_block.xattn.proj, which the
// official forward never applies; it is not a parameter here and is ignored when loading.
func (m Model) Specs() []backbone.ParamSpec {
	d, c := m.EmbedDim, m.NumClasses
	var specs []backbone.ParamSpec
	if m.Kind != AvgPoolLinear {
		specs = append(specs, backbone.ParamSpec{Name: "pooler.query_tokens", Shape: []int{1, 1, d}})
		for i := 0; i < m.selfBlocks(); i++ {
			specs = append(specs, blockSpecs(fmt.Sprintf("pooler.blocks.%d.", i), d)...)
		}
		p := "pooler.cross_attention_block."
		specs = append(specs,
			backbone.ParamSpec{Name: p + "norm1.weight", Shape: []int{d}},
			backbone.ParamSpec{Name: p + "norm1.bias", Shape: []int{d}},
			backbone.ParamSpec{Name: p + "xattn.q.weight", Shape: []int{d, d}},
			backbone.ParamSpec{Name: p + "xattn.q.bias", Shape: []int{d}},
			backbone.ParamSpec{Name: p + "xattn.kv.weight", Shape: []int{2 * d, d}},
			backbone.ParamSpec{Name: p + "xattn.kv.bias", Shape: []int{2 * d}},
			backbone.ParamSpec{Name: p + "norm2.weight", Shape: []int{d}},
			backbone.ParamSpec{Name: p + "norm2.bias", Shape: []int{d}},
			backbone.ParamSpec{Name: p + "mlp.fc1.weight", Shape: []int{4 * d, d}},
			backbone.ParamSpec{Name: p + "mlp.fc1.bias", Shape: []int{4 * d}},
			backbone.ParamSpec{Name: p + "mlp.fc2.weight", Shape: []int{d, 4 * d}},
			backbone.ParamSpec{Name: p + "mlp.fc2.bias", Shape: []int{d}},
		)
	}
	return append(specs,
		backbone.ParamSpec{Name: "linear.weight", Shape: []int{c, d}},
		backbone.ParamSpec{Name: "linear.bias", Shape: []int{c}})
}

func blockSpecs(prefix string, d int) []backbone.ParamSpec {
	return []backbone.ParamSpec{
		{Name: prefix + "norm1.weight", Shape: []int{d}}, {Name: prefix + "norm1.bias", Shape: []int{d}},
		{Name: prefix + "attn.qkv.weight", Shape: []int{3 * d, d}}, {Name: prefix + "attn.qkv.bias", Shape: []int{3 * d}},
		{Name: prefix + "attn.proj.weight", Shape: []int{d, d}}, {Name: prefix + "attn.proj.bias", Shape: []int{d}},
		{Name: prefix + "norm2.weight", Shape: []int{d}}, {Name: prefix + "norm2.bias", Shape: []int{d}},
		{Name: prefix + "mlp.fc1.weight", Shape: []int{4 * d, d}}, {Name: prefix + "mlp.fc1.bias", Shape: []int{4 * d}},
		{Name: prefix + "mlp.fc2.weight", Shape: []int{d, 4 * d}}, {Name: prefix + "mlp.fc2.bias", Shape: []int{d}},
	}
}

// Init returns freshly initialised parameters as the official AttentiveClassifier: pooler
// Linear weights and the query trunc-normal(0.02), biases 0, LayerNorms 1/0, the MLP output
// (and self-attention output) projections divided by √(2·layer); the classifier keeps
// PyTorch's default nn.Linear init, U(−1/√D, 1/√D) for weight and bias.
func (m Model) Init(rng *rand.Rand) backbone.HostParams {
	out := backbone.HostParams{}
	for _, s := range m.Specs() {
		v := make([]float32, s.Size())
		switch {
		case strings.HasPrefix(s.Name, "linear."):
			bound := 1 / math.Sqrt(float64(m.EmbedDim))
			for i := range v {
				v[i] = float32((2*rng.Float64() - 1) * bound)
			}
		case strings.HasSuffix(s.Name, ".bias"):
		case strings.Contains(s.Name, "norm") && strings.HasSuffix(s.Name, ".weight"):
			for i := range v {
				v[i] = 1
			}
		default:
			backbone.TruncNormal(v, 0.02, rng)
		}
		out[s.Name] = v
	}
	// Depth rescaling (AttentivePooler._rescale_blocks).
	rescale := func(name string, layer int) {
		w := out[name]
		f := float32(1 / math.Sqrt(2*float64(layer)))
		for i := range w {
			w[i] *= f
		}
	}
	for i := 0; i < m.selfBlocks(); i++ {
		rescale(fmt.Sprintf("pooler.blocks.%d.attn.proj.weight", i), i+1)
		rescale(fmt.Sprintf("pooler.blocks.%d.mlp.fc2.weight", i), i+1)
	}
	if m.Kind != AvgPoolLinear {
		layer := 1
		if m.Kind == Attentive4 {
			layer = m.selfBlocks()
		}
		rescale("pooler.cross_attention_block.mlp.fc2.weight", layer)
	}
	return out
}

// Logits computes the class logits [B,C] of features x [B,N,D].
func (m Model) Logits(w backbone.Weights, x *Node) *Node {
	return backbone.Linear(m.Pool(w, x), w, "linear")
}

// Pool returns the pooled representation [B,D] the classifier reads: the attentive pooler's
// output query, or the mean token for AvgPoolLinear.
func (m Model) Pool(w backbone.Weights, x *Node) *Node {
	if m.Kind == AvgPoolLinear {
		return ReduceMean(x, 1)
	}
	for i := 0; i < m.selfBlocks(); i++ {
		x = backbone.Block(x, w, fmt.Sprintf("pooler.blocks.%d.", i), m.NumHeads, LayerNormEps)
	}
	b, n, d := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	hd := d / m.NumHeads
	p := "pooler.cross_attention_block."
	query := BroadcastToDims(w.Get("pooler.query_tokens"), b, 1, d)
	q := Reshape(backbone.Linear(query, w, p+"xattn.q"), b, 1, m.NumHeads, hd)
	kv := Reshape(backbone.Linear(backbone.LayerNorm(x, w, p+"norm1", LayerNormEps), w, p+"xattn.kv"), b, n, 2, m.NumHeads, hd)
	k := Squeeze(SliceAxis(kv, 2, AxisElem(0)), 2)
	v := Squeeze(SliceAxis(kv, 2, AxisElem(1)), 2)
	y := Reshape(backbone.ScaledDotProductAttention(q, k, v), b, 1, d)
	// The query itself is not normalised; the official xattn.proj is never applied.
	q = Add(query, y)
	q = Add(q, backbone.MLP(backbone.LayerNorm(q, w, p+"norm2", LayerNormEps), w, p+"mlp"))
	return Reshape(q, b, d)
}
