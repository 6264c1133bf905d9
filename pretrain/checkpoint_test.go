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
