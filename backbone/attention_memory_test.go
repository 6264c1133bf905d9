package backbone_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// attentionMemoryEnv names the attention ("full" or a chunk size) TestAttentionGradientMemory
// runs; the test is skipped without it.
const attentionMemoryEnv = "VJEPA_ATTENTION_MEMORY"

// TestAttentionGradientMemory runs one attention forward and backward pass with 4096 tokens
// and 16 heads of 64 (1 GiB of float32 scores), for peak-memory measurements of full against
// chunked attention in training (docs/performance.md):
//
//	VJEPA_ATTENTION_MEMORY=512 /usr/bin/time -v go test ./backbone/ -run TestAttentionGradientMemory
func TestAttentionGradientMemory(t *testing.T) {
	mode := os.Getenv(attentionMemoryEnv)
	if mode == "" {
		t.Skipf("set %s to full or a chunk size", attentionMemoryEnv)
	}
	attend := backbone.ScaledDotProductAttention
	if mode != "full" {
		chunk, err := strconv.Atoi(mode)
		require.NoError(t, err)
		attend = func(q, k, v *Node) *Node { return backbone.ChunkedAttention(q, k, v, chunk) }
	}
	backend := testutil.Backend(t)
	const n, heads, hd = 4096, 16, 64
	exec, err := NewExec(backend, func(q, k, v *Node) []*Node {
		loss := ReduceAllSum(Mul(attend(q, k, v), Sin(Iota(q.Graph(), q.Shape(), 1))))
		return Gradient(loss, q, k, v)
	})
	require.NoError(t, err)
	in := func(seed float32) *tensors.Tensor {
		t := tensors.FromShape(shapes.Make(dtypes.Float32, 1, n, heads, hd))
		tensors.MustMutableFlatData(t, func(flat []float32) {
			for i := range flat {
				flat[i] = seed * float32(i%97-48) / 48
			}
		})
		return t
	}
	_, err = exec.Call(in(1), in(0.5), in(0.25))
	require.NoError(t, err)
}
