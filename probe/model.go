package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/vjepa-go/vjepa/backbone"
)

// LayerNormEps is the epsilon of the probe's LayerNorms (PyTorch's default, 1e-5).
const LayerNormEps = 1e-5

// Model describes one probe head.
type Model struct {
	Kind       Kind
	EmbedDim   int // D of the frozen encoder
	NumHeads   int // attention heads (16 in the official configs)
	NumClasses int
	// Depth is the official pooler depth: the cross-attention block plus Depth−1
	// self-attention blocks (V-JEPA 2's num_probe_blocks). 0 means the kind's default: 1 for
	// Attentive, 4 for Attentive4.
	Depth int
	// Exec is how the pooler's attention blocks are computed: the run's execution settings
	// (the encoder's, [Experiment.ProbeModel]); the zero value computes them in float32.
	Exec backbone.Execution `json:"-"`
	// NormEps is the epsilon of the pooler's LayerNorms; 0 means the official probe's
	// [LayerNormEps]. Hugging Face's VJEPA2ForVideoClassification uses the model's
	// layer_norm_eps (1e-6) instead.
	NormEps float64 `json:",omitempty"`
}

// normEps is the pooler's LayerNorm epsilon with the default applied.
func (m Model) normEps() float64 {
	if m.NormEps > 0 {
		return m.NormEps
	}
	return LayerNormEps
}

// depth is the pooler depth with the kind's default applied.
func (m Model) depth() int {
	switch {
	case !m.Kind.traits().pooler:
		return 0
	case m.Depth > 0:
		return m.Depth
	default:
		return m.Kind.traits().defaultDepth
	}
}

// Validate reports an inconsistent model.
func (m Model) Validate() error {
	if _, err := ParseKind(string(m.Kind)); err != nil {
		return err
	}
	if !m.Kind.Trained() {
		return fmt.Errorf("probe type %s has no trained model", m.Kind)
	}
	if m.NumClasses < 2 {
		return fmt.Errorf("probe needs at least 2 classes, got %d", m.NumClasses)
	}
	if m.EmbedDim < 1 {
		return fmt.Errorf("probe: embed dim must be positive, got %d", m.EmbedDim)
	}
	if m.Kind.traits().pooler && (m.NumHeads < 1 || m.EmbedDim%m.NumHeads != 0) {
		return fmt.Errorf("probe: embed dim %d is not divisible by %d heads", m.EmbedDim, m.NumHeads)
	}
	if m.Depth < 0 {
		return fmt.Errorf("probe: depth must be positive (0: the type's default), got %d", m.Depth)
	}
	return nil
}

// SelfBlocks is the number of self-attention blocks (before the cross-attention for
// Attentive4, after it for Attentive).
func (m Model) SelfBlocks() int {
	return max(m.depth()-1, 0)
}

// Specs lists the probe's parameters with the official names (without the DDP "module."
// prefix). The V-JEPA checkpoints also hold pooler.cross_attention_block.xattn.proj, which the
// official forward never applies; it is not a parameter here and is ignored when loading.
func (m Model) Specs() []backbone.ParamSpec {
	d, c := m.EmbedDim, m.NumClasses
	var specs []backbone.ParamSpec
	if m.Kind.traits().pooler {
		specs = append(specs, backbone.ParamSpec{Name: "pooler.query_tokens", Shape: []int{1, 1, d}})
		for i := 0; i < m.SelfBlocks(); i++ {
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
			backbone.ParamSpec{Name: p + "mlp.fc1.weight", Shape: []int{poolerMLPRatio * d, d}},
			backbone.ParamSpec{Name: p + "mlp.fc1.bias", Shape: []int{poolerMLPRatio * d}},
			backbone.ParamSpec{Name: p + "mlp.fc2.weight", Shape: []int{d, poolerMLPRatio * d}},
			backbone.ParamSpec{Name: p + "mlp.fc2.bias", Shape: []int{d}},
		)
	}
	return append(specs,
		backbone.ParamSpec{Name: "linear.weight", Shape: []int{c, d}},
		backbone.ParamSpec{Name: "linear.bias", Shape: []int{c}})
}

// poolerMLPRatio is the MLP width of the pooler's blocks over d: the official
// AttentivePooler's mlp_ratio default, 4.0, which no official config changes.
const poolerMLPRatio = 4

func blockSpecs(prefix string, d int) []backbone.ParamSpec {
	return backbone.BlockSpecs(prefix, d, poolerMLPRatio*d)
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
		default:
			backbone.InitDefault(s.Name, v, rng)
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
	// V-JEPA 2 numbers its blocks from 1 and gives the cross-attention the last block's
	// number; V-JEPA counts the cross-attention as layer 1 and its blocks from 2.
	first, cross := 1, max(m.SelfBlocks(), 1)
	if m.Kind.traits().selfOnQuery {
		first, cross = 2, 1
	}
	for i := 0; i < m.SelfBlocks(); i++ {
		rescale(fmt.Sprintf("pooler.blocks.%d.attn.proj.weight", i), i+first)
		rescale(fmt.Sprintf("pooler.blocks.%d.mlp.fc2.weight", i), i+first)
	}
	if m.Kind.traits().pooler {
		rescale("pooler.cross_attention_block.mlp.fc2.weight", cross)
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
	pooled, _ := m.PoolTrace(w, x)
	return pooled
}

// PoolTrace is [Model.Pool] that also returns the output of every self-attention block:
// [B,N,D] over the tokens for Attentive4, [B,1,D] on the query for Attentive.
func (m Model) PoolTrace(w backbone.Weights, x *Node) (*Node, []*Node) {
	if !m.Kind.traits().pooler {
		return ReduceMean(x, 1), nil
	}
	var trace []*Node
	block := func(x *Node, i int) *Node {
		x = m.Exec.Block(x, w, fmt.Sprintf("pooler.blocks.%d.", i), m.NumHeads, m.normEps(), nil)
		trace = append(trace, x)
		return x
	}
	selfOnQuery := m.Kind.traits().selfOnQuery
	if !selfOnQuery {
		for i := 0; i < m.SelfBlocks(); i++ {
			x = block(x, i)
		}
	}
	q := m.crossAttention(w, x)
	if selfOnQuery {
		for i := 0; i < m.SelfBlocks(); i++ {
			q = block(q, i)
		}
	}
	return Reshape(q, q.Shape().Dim(0), q.Shape().Dim(2)), trace
}

// crossAttention is the official CrossAttentionBlock applied to the learnt query: [B,1,D].
// Unless m.Exec asks for the backend's fused attention, the attention is the official one
// folded into the query side ([foldedAttention]); the query is the same for every clip, so
// its projection then runs once and is broadcast.
func (m Model) crossAttention(w backbone.Weights, x *Node) *Node {
	b, n, d := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	hd := d / m.NumHeads
	p := "pooler.cross_attention_block."
	token := w.Get("pooler.query_tokens") // [1,1,D]
	query := BroadcastToDims(token, b, 1, d)
	var y *Node
	if m.Exec.PlanAttention(x.Graph().Backend(), b, m.NumHeads, 1, n).Fused {
		q := Reshape(backbone.Linear(query, w, p+"xattn.q"), b, 1, m.NumHeads, hd)
		kv := backbone.ProjectHeads(backbone.LayerNorm(x, w, p+"norm1", m.normEps()), w, p+"xattn.kv", 2, m.NumHeads)
		y = m.Exec.Attend(q, kv[0], kv[1])
	} else {
		q := Reshape(backbone.Linear(token, w, p+"xattn.q"), m.NumHeads, hd)
		y = foldedAttention(q, x, w, p+"norm1", p+"xattn.kv", m.normEps())
	}
	// The query itself is not normalised; the official xattn.proj is never applied.
	q := Add(query, Reshape(y, b, 1, d))
	return Add(q, backbone.MLP(backbone.LayerNorm(q, w, p+"norm2", m.normEps()), w, p+"mlp"))
}

// foldedAttention is the official cross-attention of the one query q [H,hd] over the
// LayerNorm (named norm, epsilon eps) of the tokens x [B,N,D], through the fused k|v
// projection named kv; it returns [B,H,hd]. The official code projects every normalised
// token xnⱼ = x̂ⱼ⊙γ + β (x̂ⱼ: normalised without affine) to kⱼ and vⱼ, 2·N·D² multiply-adds
// per clip. Here the projections and the LayerNorm's affine fold into the query side:
//
//	q·kⱼ = x̂ⱼ·(γ⊙Wkᵀq) + (β·Wkᵀq + q·bk), and the bracket, the same for every token, drops out of the softmax;
//	Σⱼ aⱼvⱼ = Wv·(γ⊙Σⱼ aⱼx̂ⱼ + β) + bv, since the attention weights sum to one.
//
// That is 2·N·D·H multiply-adds per clip (H heads) and a [B,H,N] score tensor, equal to the
// official result up to float rounding (docs/deviations.md). Where x is frozen (the
// attentive probe on encoder features), no gradient reaches the [B,N,D] tensors. The scale
// multiplies q, as in [backbone.ScaledDotProductAttention].
func foldedAttention(q, x *Node, w backbone.Weights, norm, kv string, eps float64) *Node {
	h, hd, d := q.Shape().Dim(0), q.Shape().Dim(1), x.Shape().Dim(2)
	wk, _ := backbone.RowBlock(w, kv, 0, 2)
	wv, bv := backbone.RowBlock(w, kv, 1, 2)
	gamma, beta := Reshape(w.Get(norm+".weight"), 1, d), Reshape(w.Get(norm+".bias"), 1, d)
	xhat := backbone.PlainLayerNorm(x, eps)
	q = MulScalar(q, 1/math.Sqrt(float64(hd)))
	qk := DotGeneral(q, []int{1}, []int{0}, Reshape(wk, h, hd, d), []int{1}, []int{0}) // [H,D]
	// A fused dense layer: its weight gradient transposes only the small [B·N,H] scores.
	scores := nn.Dense(xhat, Mul(qk, gamma), nil, compute.DenseLayoutOutputsInput) // [B,N,H]
	coef := Softmax(TransposeAllAxes(scores, 0, 2, 1), -1)                         // [B,H,N]
	pooled := DotGeneral(coef, []int{2}, []int{0}, xhat, []int{1}, []int{0})       // [B,H,D]
	pooled = Add(Mul(pooled, InsertAxes(gamma, 0)), InsertAxes(beta, 0))
	y := DotGeneral(Reshape(wv, h, hd, d), []int{2}, []int{0}, pooled, []int{2}, []int{1}) // [H,hd,B]
	return Add(TransposeAllAxes(y, 2, 0, 1), Reshape(bv, 1, h, hd))
}
