package probe_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// argmax returns the index of the largest logit of every row of logits [B,C].
func argmax(logits []float32, classes int) []int {
	var out []int
	for r := 0; r*classes < len(logits); r++ {
		row, best := logits[r*classes:(r+1)*classes], 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out = append(out, best)
	}
	return out
}

// TestProbeExecutionParity applies the official probes under every attention mode of the
// backend (float32: within parityTol of the official logits) and with their blocks in
// float16 and bfloat16, as the official evals' autocast runs them: the logits stay within
// 1e-2 of the official ones relative to their largest magnitude, with the same top-1.
func TestProbeExecutionParity(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	backend := testutil.Backend(t)
	var execs []backbone.Execution
	for _, mode := range backbone.AttentionModes(backend) {
		e := backbone.Execution{Attention: mode}
		if mode == backbone.AttentionChunked {
			e.AttentionChunk = 3 // several chunks of the fixtures' tokens, a short last one
		}
		execs = append(execs, e)
	}
	execs = append(execs, backbone.Execution{ComputeDType: dtypes.Float16}, backbone.Execution{ComputeDType: dtypes.BFloat16})
	for _, fixture := range []struct{ name, logits string }{{"probe_v1", "logits.npy"}, {"probe_v2", "logits_0.npy"}} {
		dir := filepath.Join(root, fixture.name)
		cfg, _, err := officialcfg.LoadEval(filepath.Join(dir, "config.yaml"))
		require.NoError(t, err)
		in, err := npy.ReadFile(filepath.Join(dir, "input_tokens.npy"))
		require.NoError(t, err)
		want, err := npy.ReadFile(filepath.Join(dir, fixture.logits))
		require.NoError(t, err)
		classes := want.Shape[len(want.Shape)-1]
		for _, exec := range execs {
			t.Run(fmt.Sprintf("%s/%s", fixture.name, exec), func(t *testing.T) {
				m, err := probe.ModelFromEvalConfig(cfg)
				require.NoError(t, err)
				m.Exec = exec
				ck, err := probe.LoadCheckpoint(filepath.Join(dir, "checkpoint.pt"), m)
				require.NoError(t, err)
				a, err := probe.Apply(backend, m, ck.Heads[0], backbone.HostTensor{Shape: in.Shape, F32: in.F32})
				require.NoError(t, err)
				e := relErr(t, want, a.Logits)
				agree := argmax(a.Logits.F32, classes)
				ref := argmax(want.F32, classes)
				t.Logf("logits: max relative error %.2e, top-1 %v (official %v)", e, agree, ref)
				tol := parityTol
				if exec.ComputeDType != dtypes.InvalidDType {
					tol = 1e-2
				}
				assert.LessOrEqual(t, e, tol)
				assert.Equal(t, ref, agree, "top-1")
			})
		}
	}
}
