package pretrain_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// stepWith takes one training step from the fixture's checkpoint with the blocks computed as
// exec says, and returns its stats and the state after it.
func stepWith(t *testing.T, backend compute.Backend, f *fixtures.Fixture, exec backbone.Execution) (pretrain.StepStats, *pretrain.State) {
	t.Helper()
	c := f.Config
	c.Exec = exec
	stepper, err := pretrain.NewStepper(backend, c, f.NumMasks(), fixtureState(t, f))
	require.NoError(t, err)
	stats, err := stepper.Step(fixtureBatch(t, f), fixtureHParams(f))
	require.NoError(t, err)
	return stats, stepper.State()
}

// TestGradCheckpointingStep: a step with every block checkpointed (recomputed in the
// backward pass) equals the plain step within 1e-6.
func TestGradCheckpointingStep(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		want, plain := stepWith(t, backend, f, backbone.Execution{})
		got, ckpt := stepWith(t, backend, f, backbone.Execution{GradCheckpointing: true})
		assert.InDelta(t, want.Loss, got.Loss, 1e-6)
		assert.InDelta(t, want.GradNormEnc, got.GradNormEnc, 1e-6)
		assert.InDelta(t, want.GradNormPred, got.GradNormPred, 1e-6)
		requireStatesClose(t, plain, ckpt, 1e-6)
	})
}

// TestMixedPrecisionStep: a step with the blocks' matrix products in bfloat16 (float32
// master weights, moments and loss) stays close to the float32 step. Tolerances: the loss
// within 1% (relative); the gradient norms within 5%; AdamW's first step moves each weight
// by about lr·sign(g), so a weight may differ by up to 2·lr where a tiny gradient changes
// sign, but the bfloat16 and float32 updates must point the same way (cosine ≥ 0.95 per
// model).
func TestMixedPrecisionStep(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		want, f32 := stepWith(t, backend, f, backbone.Execution{})
		got, bf16 := stepWith(t, backend, f, backbone.Execution{ComputeDType: dtypes.BFloat16})
		t.Logf("loss float32 %.6f bfloat16 %.6f; grad norms enc %.4g/%.4g pred %.4g/%.4g", want.Loss, got.Loss,
			want.GradNormEnc, got.GradNormEnc, want.GradNormPred, got.GradNormPred)
		assert.InEpsilon(t, want.Loss, got.Loss, 0.01)
		assert.InEpsilon(t, want.GradNormEnc, got.GradNormEnc, 0.05)
		assert.InEpsilon(t, want.GradNormPred, got.GradNormPred, 0.05)

		start := fixtureState(t, f)
		lr := fixtureHParams(f).LR
		for _, top := range []struct {
			name             string
			start, f32, bf16 backbone.HostParams
		}{{"encoder", start.Encoder, f32.Encoder, bf16.Encoder}, {"predictor", start.Predictor, f32.Predictor, bf16.Predictor}} {
			var dot, n32, n16, worst float64
			for name, w0 := range top.start {
				a, b := top.f32[name], top.bf16[name]
				require.Len(t, b, len(a), name)
				for i := range w0 {
					d32, d16 := float64(a[i]-w0[i]), float64(b[i]-w0[i])
					dot, n32, n16 = dot+d32*d16, n32+d32*d32, n16+d16*d16
					worst = math.Max(worst, math.Abs(d32-d16))
				}
			}
			cos := dot / math.Sqrt(n32*n16)
			t.Logf("%s: update cosine %.4f, max |Δ| %.2g (2·lr = %.2g)", top.name, cos, worst, 2*lr)
			assert.GreaterOrEqual(t, cos, 0.95, top.name)
			assert.LessOrEqual(t, worst, 2*lr*1.01, top.name)
		}
	})
}

// TestRunMixedPrecisionCheckpointed trains the tiny config 3 steps with bfloat16 blocks and
// gradient checkpointing: the loss stays within 2% of the float32 run's, and the checkpoint
// describes the model without the run's execution settings.
func TestRunMixedPrecisionCheckpointed(t *testing.T) {
	cfg, _, err := officialcfg.ParsePretrain("tiny.yaml", []byte(testutil.TinyPretrainConfig))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	run := func(precision string, ckpt bool) *pretrain.Result {
		res, err := pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: t.TempDir(), MaxSteps: 3,
			MaskBucket: 1, Workers: 2, Progress: io.Discard, Precision: precision, GradCheckpointing: ckpt,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		return res
	}
	want := run(pretrain.PrecisionFloat32, false)
	got := run(pretrain.PrecisionBFloat16, true)
	t.Logf("loss after 3 steps: float32 %.5f, bfloat16 + checkpointing %.5f", want.FinalLoss, got.FinalLoss)
	assert.InEpsilon(t, want.FinalLoss, got.FinalLoss, 0.02)

	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	ck, err := backbone.OpenCheckpoint(got.Checkpoint)
	require.NoError(t, err)
	info, ok, err := ck.RunInfo()
	require.NoError(t, ck.Close())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, model, info.Model)
}
