package pretrain_test

import (
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
	forEachFixture(t, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
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
