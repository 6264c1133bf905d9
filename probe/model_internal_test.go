package probe

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestFoldedAttentionMatchesProjectedTokens: the cross-attention folded into the query side
// equals the official order (LayerNorm, project every token to k and v, then attend) up to
// rounding, and so do its gradients with respect to the query and the weights.
func TestFoldedAttentionMatchesProjectedTokens(t *testing.T) {
	const b, n, d, heads = 3, 20, 24, 4
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(dims ...int) *tensors.Tensor {
		size := 1
		for _, x := range dims {
			size *= x
		}
		v := make([]float32, size)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	// Outputs: the attention, then the gradients of a random projection of it with respect
	// to q, the k|v weight and bias and the LayerNorm's weight and bias; folded, then official.
	build := func(in []*Node) []*Node {
		q, x, r := in[0], in[1], in[6]
		w := backbone.Weights{"kv.weight": in[2], "kv.bias": in[3], "norm.weight": in[4], "norm.bias": in[5]}
		folded := foldedAttention(q, x, w, "norm", "kv", LayerNormEps)
		kv := backbone.ProjectHeads(backbone.LayerNorm(x, w, "norm", LayerNormEps), w, "kv", 2, heads)
		official := backbone.ScaledDotProductAttention(BroadcastToDims(Reshape(q, 1, 1, heads, d/heads), b, 1, heads, d/heads), kv[0], kv[1])
		official = Reshape(official, b, heads, d/heads)
		wrt := []*Node{q, in[2], in[3], in[4], in[5]}
		out := append([]*Node{folded}, Gradient(ReduceAllSum(Mul(folded, r)), wrt...)...)
		out = append(out, official)
		return append(out, Gradient(ReduceAllSum(Mul(official, r)), wrt...)...)
	}
	exec, err := NewExec(testutil.Backend(t), build)
	require.NoError(t, err)
	out, err := exec.Call(random(heads, d/heads), random(b, n, d), random(2*d, d), random(2*d), random(d), random(d), random(b, heads, d/heads))
	require.NoError(t, err)
	names := []string{"attention", "dq", "dkv.weight", "dkv.bias", "dnorm.weight", "dnorm.bias"}
	for i, name := range names {
		got := tensors.MustCopyFlatData[float32](out[i])
		want := tensors.MustCopyFlatData[float32](out[i+len(names)])
		require.Len(t, got, len(want), name)
		require.InDeltaSlice(t, want, got, 1e-4, name)
	}
}
