package pretrain_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/pretrain"
)

func maxDiff(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func fixtureBatch(t *testing.T, f *fixtures.Fixture) pretrain.Batch {
	t.Helper()
	var batch pretrain.Batch
	var err error
	batch.Clip, err = f.Float32("input.npy")
	require.NoError(t, err)
	for i := 0; i < f.NumMasks(); i++ {
		ctx, tgt, err := f.Masks(i)
		require.NoError(t, err)
		batch.Context = append(batch.Context, ctx)
		batch.Target = append(batch.Target, tgt)
	}
	return batch
}

// fixtureHParams are the hyper-parameters of the fixture's reference training step.
func fixtureHParams(f *fixtures.Fixture) pretrain.HParams {
	ts := f.Ref.TrainStep
	return pretrain.HParams{LR: ts.LR, WeightDecay: ts.WeightDecay, Momentum: ts.EMA}
}

// requireSameState fails the test unless a and b hold equal encoder, predictor and target
// weights and equal AdamW moments.
func requireSameState(t *testing.T, a, b *pretrain.State) {
	t.Helper()
	require.Equal(t, a.Encoder, b.Encoder)
	require.Equal(t, a.Predictor, b.Predictor)
	require.Equal(t, a.Target, b.Target)
	require.Equal(t, a.Moments, b.Moments)
}

// TestCheckpointStepParity loads the official checkpoint.pth, takes one step and compares
// every tensor of checkpoint_step1.pth, AdamW moments included; then saves in the official
// format and reads it back unchanged.
func TestCheckpointStepParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		st, pos, err := pretrain.LoadCheckpoint(f.Path("checkpoint.pth"), f.Config)
		require.NoError(t, err)
		require.Equal(t, int64(0), st.Step)
		require.Equal(t, 0, pos.Epoch)
		stepper, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), st)
		require.NoError(t, err)
		hp := fixtureHParams(f)
		_, err = stepper.Step(fixtureBatch(t, f), hp)
		require.NoError(t, err)
		got := stepper.State()

		want, _, err := pretrain.LoadCheckpoint(f.Path("checkpoint_step1.pth"), f.Config)
		require.NoError(t, err)
		require.Equal(t, int64(1), want.Step)
		require.Len(t, got.Moments, len(want.Moments))
		worstM, worstV := 0.0, 0.0
		for k, w := range want.Moments {
			g, ok := got.Moments[k]
			require.True(t, ok, k)
			worstM = math.Max(worstM, maxDiff(g[0], w[0]))
			worstV = math.Max(worstV, maxDiff(g[1], w[1]))
		}
		t.Logf("AdamW moments after one step: max |Δm| = %.2g, max |Δv| = %.2g", worstM, worstV)
		require.LessOrEqual(t, worstM, 1e-5)
		require.LessOrEqual(t, worstV, 1e-5)
		for _, pair := range [][2]backbone.HostParams{{got.Encoder, want.Encoder}, {got.Predictor, want.Predictor}, {got.Target, want.Target}} {
			for k, w := range pair[1] {
				require.LessOrEqual(t, maxDiff(pair[0][k], w), 1e-5, k)
			}
		}

		path := filepath.Join(t.TempDir(), "ckpt.pth.tar")
		runPos := pretrain.RunPosition{Step: 1, Loader: datasets.State{Epoch: 0, Step: 1}, Seed: 7, BatchSize: 2, LR: 6.25e-4}
		require.NoError(t, pretrain.SaveCheckpoint(path, f.Config, got, runPos, hp))
		back, backPos, err := pretrain.LoadCheckpoint(path, f.Config)
		require.NoError(t, err)
		require.Equal(t, runPos.Step, backPos.Step)
		require.Equal(t, runPos.Loader, backPos.Loader)
		require.Equal(t, runPos.Seed, backPos.Seed)
		requireSameState(t, got, back)
	})
}

// TestStepParity runs one training step from the fixture's checkpoint and compares the
// loss and the encoder, predictor and target encoder after the step with the official ones.
func TestStepParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		stepper, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), fixtureState(t, f))
		require.NoError(t, err)

		stats, err := stepper.Step(fixtureBatch(t, f), fixtureHParams(f))
		require.NoError(t, err)
		require.InDelta(t, f.Ref.Loss.LossJEPA, stats.Loss, 1e-5, "loss")

		got := stepper.State()
		for _, top := range []struct {
			name string
			got  backbone.HostParams
		}{{"encoder", got.Encoder}, {"predictor", got.Predictor}, {"target_encoder", got.Target}} {
			want, err := f.Params("checkpoint_step1.pth", top.name)
			require.NoError(t, err)
			worst, worstName := 0.0, ""
			for k, w := range want {
				g, ok := top.got[k]
				require.True(t, ok, "%s/%s missing", top.name, k)
				require.Len(t, g, len(w))
				if d := maxDiff(g, w); d > worst {
					worst, worstName = d, k
				}
			}
			t.Logf("%s after one step: max |Δ| = %.2g (%s)", top.name, worst, worstName)
			require.LessOrEqual(t, worst, 1e-5, top.name)
		}
	})
}

// TestV2StepLoss loads the V-JEPA 2 training checkpoint (RoPE, no tables, module.backbone.
// keys, AdamW state) and checks that the training step computes the official loss: both mask
// configurations predicted with mask token 0, as PredictorMultiSeqWrapper does for one clip
// length. It then saves and reloads the state after the step.
func TestV2StepLoss(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.V2Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		st, _, err := pretrain.LoadCheckpoint(f.Path("checkpoint.pt"), f.Config)
		require.NoError(t, err)
		_, hasTable := st.Encoder["pos_embed"]
		require.False(t, hasTable)
		stepper, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), st)
		require.NoError(t, err)
		stats, err := stepper.Step(fixtureBatch(t, f), pretrain.HParams{LR: 1e-4, WeightDecay: 0.04, Momentum: 0.99925})
		require.NoError(t, err)
		want, err := f.Array("loss.npy")
		require.NoError(t, err)
		wl, err := want.Float64s()
		require.NoError(t, err)
		t.Logf("loss %.8f, official %.8f", stats.Loss, wl[0])
		require.InDelta(t, wl[0], stats.Loss, 1e-5)

		got := stepper.State()
		_, hasTable = got.Encoder["pos_embed"]
		require.False(t, hasTable)
		require.NoError(t, got.Encoder.CheckAgainst(backbone.EncoderSpecs(f.Config)))
		path := filepath.Join(t.TempDir(), "v2.pth.tar")
		require.NoError(t, pretrain.SaveCheckpoint(path, f.Config, got, pretrain.RunPosition{}, pretrain.HParams{}))
		back, _, err := pretrain.LoadCheckpoint(path, f.Config)
		require.NoError(t, err)
		require.Equal(t, got.Encoder, back.Encoder)
		require.Equal(t, got.Predictor, back.Predictor)
		require.Equal(t, got.Moments, back.Moments)
	})
}
