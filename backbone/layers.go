package backbone

import (
	"fmt"
	"math"

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
	return nn.Dense(x, w.Get(prefix+".weight"), w.Get(prefix+".bias"), compute.DenseLayoutOutputsInput)
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
	h := nn.Dense(x, w.Get(prefix+".fc1.weight"), w.Get(prefix+".fc1.bias"),
		compute.DenseLayoutOutputsInput, activation.TypeGelu)
	return Linear(h, w, prefix+".fc2")
}

// SelfAttention is the official Attention module: a fused qkv projection whose output rows
// are [q | k | v] with heads contiguous inside each, scaled dot-product attention with scale
// head_dim^-0.5 and no mask, then the output projection.
func SelfAttention(x *Node, w Weights, prefix string, numHeads int) *Node {
	q, k, v := QKV(x, w, prefix+".qkv", numHeads)
	return attentionOutput(ScaledDotProductAttention(q, k, v), w, prefix)
}

// QKV applies the fused qkv projection named prefix to x [B,N,D] and returns q, k and v as
// [B,N,H,hd]. It multiplies by the three row blocks of the weight rather than slicing the
// product: a weight slice is small (and, for constant weights, packed once by the Go
// backend), while slicing the [B,N,3D] activation runs element by element. Where w holds
// the row blocks themselves (see [QKVPartName]), they are used as they are.
func QKV(x *Node, w Weights, prefix string, numHeads int) (q, k, v *Node) {
	b, n, d := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	if d%numHeads != 0 {
		panic(fmt.Errorf("backbone: width %d is not divisible by %d heads", d, numHeads))
	}
	part := func(i int) *Node {
		weight, wok := w[QKVPartName(prefix+".weight", i)]
		bias, bok := w[QKVPartName(prefix+".bias", i)]
		if !wok || !bok {
			rows := AxisRange(i*d, (i+1)*d)
			weight, bias = SliceAxis(w.Get(prefix+".weight"), 0, rows), SliceAxis(w.Get(prefix+".bias"), 0, rows)
		}
		return Reshape(nn.Dense(x, weight, bias, compute.DenseLayoutOutputsInput), b, n, numHeads, d/numHeads)
	}
	return part(0), part(1), part(2)
}

// QKVPartName names the q (i = 0), k (1) or v (2) row block of a fused qkv parameter, e.g.
// "blocks.0.attn.qkv.weight" → "blocks.0.attn.qkv.weight[k]".
func QKVPartName(name string, i int) string { return name + "[" + "qkv"[i:i+1] + "]" }

// attentionOutput merges the heads of out [B,N,H,hd] and applies the projection prefix.proj.
func attentionOutput(out *Node, w Weights, prefix string) *Node {
	dims := out.Shape().Dimensions
	return Linear(Reshape(out, dims[0], dims[1], dims[2]*dims[3]), w, prefix+".proj")
}

// ScaledDotProductAttention computes softmax(q·kᵀ/√hd)·v for q [B,Nq,H,hd] and k, v
// [B,Nk,H,hd], returning [B,Nq,H,hd]. The softmax runs in float32 whatever the inputs' type.
//
// The products are laid out for the Go backend's matrix kernels: heads move next to the
// batch ([B,H,N,hd], a transpose it runs in parallel), q·kᵀ contracts the last axis of
// both operands and the weighted sum contracts the scores' last axis with v's token axis,
// so neither product needs a generic (single-core) transpose. The scale multiplies q
// rather than the Nq×Nk scores (equal up to rounding).
func ScaledDotProductAttention(q, k, v *Node) *Node {
	hd := q.Shape().Dim(-1)
	heads := func(x *Node) *Node { return TransposeAllAxes(x, 0, 2, 1, 3) }
	qh := MulScalar(heads(q), 1/math.Sqrt(float64(hd)))
	scores := DotGeneral(qh, []int{3}, []int{0, 1}, heads(k), []int{3}, []int{0, 1}) // [B,H,Nq,Nk]
	coef := Softmax(ConvertDType(scores, dtypes.Float32), -1)
	out := DotGeneral(ConvertDType(coef, v.DType()), []int{3}, []int{0, 1}, heads(v), []int{2}, []int{0, 1})
	return heads(out) // [B,Nq,H,hd]
}

// Block is the official pre-norm transformer block: x + Attn(LN1(x)), then x + MLP(LN2(x)).
func Block(x *Node, w Weights, prefix string, numHeads int, eps float64) *Node {
	x = Add(x, SelfAttention(LayerNorm(x, w, prefix+"norm1", eps), w, prefix+"attn", numHeads))
	return Add(x, MLP(LayerNorm(x, w, prefix+"norm2", eps), w, prefix+"mlp"))
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
