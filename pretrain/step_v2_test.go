package pretrain_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// TestV2StepLoss loads the V-JEPA 2 training checkpoint (RoPE, no tables, module.backbone.
// keys, AdamW state) and checks that the training step computes the official loss: both mask
// configurations predicted with mask token 0, as PredictorMultiSeqWrapper does for one clip
// length. It then saves and reloads the state after the step.
func TestV2StepLoss(t *testing.T) {
	backend := testutil.Backend(t)
	fixtures.Run(t, fixtures.V2Names, func(t *testing.T, f *fixtures.Fixture) {
		st, _, err := pretrain.LoadCheckpoint(filepath.Join(f.Dir, "checkpoint.pt"), f.Config)
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
