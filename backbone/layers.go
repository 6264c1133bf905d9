package backbone

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph building reads best unqualified.
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"
)

// Weights maps official bare parameter names ("blocks.0.attn.qkv.weight") to graph nodes.
type Weights map[string]*Node

// Get returns the named weight; a missing name panics with the name, which the GoMLX
// executor turns into an error of the call.
func (w Weights) Get(name string) *Node {
	n, ok := w[name]
	if !ok {
		panic(fmt.Errorf("backbone: weight %q not provided to the graph", name))
	}
	return n
}

// Linear applies a PyTorch nn.Linear (weight [out, in], bias [out]) named prefix.
func Linear(x *Node, w Weights, prefix string) *Node {
	return dense(x, w.Get(prefix+".weight"), w.Get(prefix+".bias"), activation.TypeNone)
}

// dense is act(x·weightᵀ + bias) for a PyTorch weight [out, in].
func dense(x, weight, bias *Node, act activation.Type) *Node {
	return nn.Dense(x, weight, bias, compute.DenseLayoutOutputsInput, act)
}

// LayerNorm applies an affine LayerNorm over the last axis with the weights named prefix.
func LayerNorm(x *Node, w Weights, prefix string, eps float64) *Node {
	return nn.LayerNorm(x, []int{-1}, eps, w.Get(prefix+".weight"), w.Get(prefix+".bias"), nil)
}

// PlainLayerNorm is a LayerNorm over the last axis without affine parameters.
func PlainLayerNorm(x *Node, eps float64) *Node {
	return nn.LayerNorm(x, []int{-1}, eps, nil, nil, nil)
}

// MLP is fc1 → exact (erf) GELU → fc2.
func MLP(x *Node, w Weights, prefix string) *Node {
	h := dense(x, w.Get(prefix+".fc1.weight"), w.Get(prefix+".fc1.bias"), activation.TypeGelu)
	return Linear(h, w, prefix+".fc2")
}

// SelfAttention is the official Attention module (V-JEPA) or, with rope [B,N,2·3s], the
// official RoPEAttention (V-JEPA 2: q and k rotated, v not): a fused qkv projection whose
// output rows are [q | k | v] with heads contiguous inside each, scaled dot-product
// attention with scale head_dim^-0.5 and no mask, then the output projection.
//
// The attention itself is computed as e says (see [Execution.Attend]).
func (e Execution) SelfAttention(x *Node, w Weights, prefix string, numHeads int, rope *Node) *Node {
	q, k, v := QKV(x, w, prefix+".qkv", numHeads)
	if rope != nil {
		q, k = rotate(q, rope), rotate(k, rope)
	}
	out := e.Attend(q, k, v)
	dims := out.Shape().Dimensions
	return Linear(Reshape(out, dims[0], dims[1], dims[2]*dims[3]), w, prefix+".proj")
}

// rotate applies RoPE to x in the table's type (float32) and returns x's type, as the official
// code does under autocast: its float32 sines and cosines promote the half-precision q and k
// for the rotation, and the attention casts them back.
func rotate(x, rope *Node) *Node {
	if x.DType() == rope.DType() {
		return ApplyRoPE(x, rope)
	}
	return ConvertDType(ApplyRoPE(ConvertDType(x, rope.DType()), rope), x.DType())
}

// QKV applies the fused qkv projection named prefix to x [B,N,D] and returns q, k and v as
// [B,N,H,hd] (see [ProjectHeads]).
func QKV(x *Node, w Weights, prefix string, numHeads int) (q, k, v *Node) {
	p := ProjectHeads(x, w, prefix, 3, numHeads)
	return p[0], p[1], p[2]
}

// ProjectHeads applies the fused projection named prefix, whose weight rows are parts
// equal blocks (q | k | v of a qkv projection, k | v of the probe's kv), to x [B,N,D] and
// returns each block's output as [B,N,H,hd]. It multiplies by the row blocks of the weight
// rather than slicing the product: a weight slice is small (and, for constant weights,
// packed once by the Go backend), while slicing the activation runs element by element.
// Where w holds the row blocks themselves (see [RowBlockName]), they are used as they are.
func ProjectHeads(x *Node, w Weights, prefix string, parts, numHeads int) []*Node {
	b, n := x.Shape().Dim(0), x.Shape().Dim(1)
	ws, bs := make([]*Node, parts), make([]*Node, parts)
	for i := range parts {
		ws[i], bs[i] = RowBlock(w, prefix, i, parts)
	}
	d := ws[0].Shape().Dim(0)
	if d%numHeads != 0 {
		panic(fmt.Errorf("backbone: %s: width %d is not divisible by %d heads", prefix, d, numHeads))
	}
	out := make([]*Node, parts)
	for i := range out {
		out[i] = Reshape(dense(x, ws[i], bs[i], activation.TypeNone), b, n, numHeads, d/numHeads)
	}
	return out
}

// RowBlock is row block i of parts of the fused projection prefix (qkv, kv): weight and bias,
// from their own constants where the weights hold them (ParamTensors.Bind), else sliced from
// the fused parameter.
func RowBlock(w Weights, prefix string, i, parts int) (weight, bias *Node) {
	wi, wok := w[RowBlockName(prefix+".weight", i)]
	bi, bok := w[RowBlockName(prefix+".bias", i)]
	if wok && bok {
		return wi, bi
	}
	fw, fb := w.Get(prefix+".weight"), w.Get(prefix+".bias")
	d := fw.Shape().Dim(0) / parts
	rows := AxisRange(i*d, (i+1)*d)
	return SliceAxis(fw, 0, rows), SliceAxis(fb, 0, rows)
}

// RowBlockName names row block i of a fused projection parameter, e.g.
// "blocks.0.attn.qkv.weight" → "blocks.0.attn.qkv.weight[1]" (the k block).
func RowBlockName(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }

// fusedParts is the number of row blocks of the fused projections, by the last element of
// their module path: the encoder's and pooler blocks' qkv and the probe's cross-attention kv.
var fusedParts = map[string]int{"qkv": 3, "kv": 2}

// numRowBlocks is the number of row blocks of parameter name (e.g. 3 for
// "blocks.0.attn.qkv.weight"), 0 when it is not a fused projection's.
func numRowBlocks(name string) int {
	module := strings.TrimSuffix(strings.TrimSuffix(name, ".weight"), ".bias")
	return fusedParts[module[strings.LastIndex(module, ".")+1:]]
}

// Block is the official pre-norm transformer block named prefix: x + Attn(LN1(x)), then
// x + MLP(LN2(x)), with rotary attention when rope is not nil. With ComputeDType the
// attention and MLP run in that type (LayerNorms and the residual stream stay in x's),
// and with GradCheckpointing the block's activations are recomputed in the backward pass.
func (e Execution) Block(x *Node, w Weights, prefix string, numHeads int, eps float64, rope *Node) *Node {
	if e.GradCheckpointing {
		x = x.Checkpoint()
	}
	dt := e.ComputeDType
	if dt == dtypes.InvalidDType {
		dt = x.DType()
	}
	if dt != x.DType() {
		low := Weights{}
		for _, p := range BlockSpecs(prefix, 0, 0) {
			if IsNorm(p.Name) { // the LayerNorms stay in float32
				low[p.Name] = w.Get(p.Name)
				continue
			}
			// The parameter, or the row blocks a constant fused projection is held as.
			found, names := false, []string{p.Name}
			for j := range numRowBlocks(p.Name) {
				names = append(names, RowBlockName(p.Name, j))
			}
			for _, n := range names {
				if node, ok := w[n]; ok {
					low[n], found = ConvertDType(node, dt), true
				}
			}
			if !found {
				w.Get(p.Name) // panics naming the missing weight
			}
		}
		w = low
	}
	a := e.SelfAttention(ConvertDType(LayerNorm(x, w, prefix+"norm1", eps), dt), w, prefix+"attn", numHeads, rope)
	x = Add(x, ConvertDType(a, x.DType()))
	m := MLP(ConvertDType(LayerNorm(x, w, prefix+"norm2", eps), dt), w, prefix+"mlp")
	x = Add(x, ConvertDType(m, x.DType()))
	if e.GradCheckpointing {
		x = x.StopCheckpoint()
	}
	return x
}

// GatherTokens selects tokens x[b, idx[b, k]] for x [B,N,D] and integer idx [B,K], the
// official apply_masks for one mask.
func GatherTokens(x, idx *Node) *Node {
	b, n, d := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	k := idx.Shape().Dim(1)
	idx = ConvertDType(idx, dtypes.Int32)
	offsets := MulScalar(Iota(x.Graph(), idx.Shape(), 0), n)
	flat := Reshape(Add(idx, offsets), b*k, 1)
	return Reshape(Gather(Reshape(x, b*n, d), flat), b, k, d)
}
