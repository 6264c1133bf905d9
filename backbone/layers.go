package backbone

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph building reads best unqualified.
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/layers/attention"
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
	b, n, d := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	hd := d / numHeads
	qkv := Reshape(Linear(x, w, prefix+".qkv"), b, n, 3, numHeads, hd)
	q := Squeeze(SliceAxis(qkv, 2, AxisElem(0)), 2)
	k := Squeeze(SliceAxis(qkv, 2, AxisElem(1)), 2)
	v := Squeeze(SliceAxis(qkv, 2, AxisElem(2)), 2)
	out := ScaledDotProductAttention(q, k, v)
	return Linear(Reshape(out, b, n, d), w, prefix+".proj")
}

// ScaledDotProductAttention computes softmax(q·kᵀ/√hd)·v for q [B,Nq,H,hd] and k, v
// [B,Nk,H,hd], returning [B,Nq,H,hd]. The softmax stays in float32.
func ScaledDotProductAttention(q, k, v *Node) *Node {
	out, _ := attention.Core(q, k, v, attention.LayoutBSHD, attention.CoreOptions{DisableFusion: true})
	return out
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
