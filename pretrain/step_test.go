package pretrain_test

import (
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/pretrain"
)

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
