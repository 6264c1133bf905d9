package probe_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// parityTol is the largest accepted |got − want| relative to max |want|: float32 agrees to
// about 1e-6; a probe LayerNorm eps of 1e-6 instead of 1e-5 shows near 1e-4.
const parityTol = 1e-5

// relErr is max |got − want| / max |want|.
func relErr(t *testing.T, want *npy.Array, got backbone.HostTensor) float64 {
	t.Helper()
	require.Equal(t, want.Shape, got.Shape)
	var diff, scale float64
	for i, w := range want.F32 {
		diff = math.Max(diff, math.Abs(float64(got.F32[i]-w)))
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	return diff / scale
}

// TestProbeParity applies the official probes of both generations, built from their eval
// YAML and checkpoint, to the fixtures' tokens and compares every recorded tensor.
func TestProbeParity(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	backend := testutil.Backend(t)
	tests := []struct {
		fixture string
		kind    probe.Kind
		depth   int
		outputs map[int]map[string]string // head -> recorded file -> output (logits, pooled, blocks)
	}{
		{"probe_v1", probe.Attentive, 1, map[int]map[string]string{0: {"logits.npy": "logits", "pooled.npy": "pooled"}}},
		{"probe_v2", probe.Attentive4, 4, map[int]map[string]string{0: {"logits_0.npy": "logits", "pooled_0.npy": "pooled", "pool_blocks_0.npy": "blocks"}}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dir := filepath.Join(root, tt.fixture)
			cfg, warnings, err := officialcfg.LoadEval(filepath.Join(dir, "config.yaml"))
			require.NoError(t, err)
			require.Empty(t, warnings)
			m, err := probe.ModelFromEvalConfig(cfg)
			require.NoError(t, err)
			require.Equal(t, tt.kind, m.Kind)
			require.Equal(t, tt.depth, m.Depth)
			ck, err := probe.LoadCheckpoint(filepath.Join(dir, "checkpoint.pt"), m)
			require.NoError(t, err)
			require.Len(t, ck.Heads, len(tt.outputs))
			in, err := npy.ReadFile(filepath.Join(dir, "input_tokens.npy"))
			require.NoError(t, err)
			x := backbone.HostTensor{Shape: in.Shape, F32: in.F32}
			for head, files := range tt.outputs {
				a, err := probe.Apply(backend, m, ck.Heads[head], x)
				require.NoError(t, err)
				for file, what := range files {
					want, err := npy.ReadFile(filepath.Join(dir, file))
					require.NoError(t, err)
					var got backbone.HostTensor
					switch what {
					case "logits":
						got = a.Logits
					case "pooled":
						got = a.Pooled
					case "blocks":
						got = stack(a.Blocks)
					}
					e := relErr(t, want, got)
					t.Logf("%s head %d %s: max relative error %.2e", tt.fixture, head, file, e)
					require.LessOrEqual(t, e, parityTol, "%s head %d %s", tt.fixture, head, file)
				}
			}
		})
	}
}

// stack joins equally shaped tensors along a new leading axis.
func stack(ts []backbone.HostTensor) backbone.HostTensor {
	if len(ts) == 0 {
		return backbone.HostTensor{}
	}
	out := backbone.HostTensor{Shape: append([]int{len(ts)}, ts[0].Shape...)}
	for _, t := range ts {
		out.F32 = append(out.F32, t.F32...)
	}
	return out
}

// TestEvalOnlyOfficialProbes runs the official probe checkpoints of both generations through
// the trainer that `vjepa probe --eval-only` evaluates with: its class probabilities must be
// the softmax of the official logits.
func TestEvalOnlyOfficialProbes(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	backend := testutil.Backend(t)
	for fixture, logitsFile := range map[string]string{"probe_v1": "logits.npy", "probe_v2": "logits_0.npy"} {
		t.Run(fixture, func(t *testing.T) {
			dir := filepath.Join(root, fixture)
			cfg, _, err := officialcfg.LoadEval(filepath.Join(dir, "config.yaml"))
			require.NoError(t, err)
			m, err := probe.ModelFromEvalConfig(cfg)
			require.NoError(t, err)
			ck, err := probe.LoadCheckpoint(filepath.Join(dir, "checkpoint.pt"), m)
			require.NoError(t, err)
			tr, err := probe.NewTrainer(backend, probe.TrainerOptions{Model: m, SweepSize: len(ck.Heads)}, ck.Heads)
			require.NoError(t, err)
			in, err := npy.ReadFile(filepath.Join(dir, "input_tokens.npy"))
			require.NoError(t, err)
			probs, err := tr.Probs(backbone.HostTensor{Shape: in.Shape, F32: in.F32})
			require.NoError(t, err)
			logits, err := npy.ReadFile(filepath.Join(dir, logitsFile))
			require.NoError(t, err)
			c := logits.Shape[1]
			for row := 0; row < logits.Shape[0]; row++ {
				l := logits.F32[row*c : (row+1)*c]
				var mx, sum float64 = math.Inf(-1), 0
				for _, v := range l {
					mx = math.Max(mx, float64(v))
				}
				for _, v := range l {
					sum += math.Exp(float64(v) - mx)
				}
				for j, v := range l {
					require.InDelta(t, math.Exp(float64(v)-mx)/sum, probs[0][row*c+j], 1e-5, "row %d class %d", row, j)
				}
			}
		})
	}
}
