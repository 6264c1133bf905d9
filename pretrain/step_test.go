package pretrain_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/compute/gobackend"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/fixtures"
	"github.com/vjepa-go/vjepa/pretrain"
)

// TestStepParity runs one training step from the fixture's checkpoint and compares the
// loss and the encoder, predictor and target encoder after the step with the official ones.
func TestStepParity(t *testing.T) {
	if _, ok := fixtures.Root(); !ok {
		t.Skip("fixtures not found")
	}
	backend, err := gobackend.New("")
	require.NoError(t, err)
	for _, name := range fixtures.Names {
		t.Run(name, func(t *testing.T) {
			f, err := fixtures.Load(name)
			require.NoError(t, err)
			st := &pretrain.State{}
			st.Encoder, err = f.Params("checkpoint_tensors.npz", "encoder")
			require.NoError(t, err)
			st.Predictor, err = f.Params("checkpoint_tensors.npz", "predictor")
			require.NoError(t, err)
			st.Target, err = f.Params("checkpoint_tensors.npz", "target_encoder")
			require.NoError(t, err)
			stepper, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), st)
			require.NoError(t, err)

			var batch pretrain.Batch
			batch.Clip, err = f.Float32("input.npy")
			require.NoError(t, err)
			for i := 0; i < f.NumMasks(); i++ {
				ctx, err := f.Int64(fmt.Sprintf("masks_enc_%d.npy", i))
				require.NoError(t, err)
				tgt, err := f.Int64(fmt.Sprintf("masks_pred_%d.npy", i))
				require.NoError(t, err)
				batch.Context = append(batch.Context, ctx)
				batch.Target = append(batch.Target, tgt)
			}
			ts := f.Ref.TrainStep
			stats, err := stepper.Step(batch, pretrain.HParams{LR: ts.LR, WeightDecay: ts.WeightDecay, Momentum: ts.EMA})
			require.NoError(t, err)
			require.InDelta(t, f.Ref.Loss.LossJEPA, stats.Loss, 1e-5, "loss")

			got := stepper.State()
			for _, top := range []struct {
				name string
				got  backbone.HostParams
			}{{"encoder", got.Encoder}, {"predictor", got.Predictor}, {"target_encoder", got.Target}} {
				want, err := f.Params("step1_tensors.npz", top.name)
				require.NoError(t, err)
				worst, worstName := 0.0, ""
				for k, w := range want {
					g, ok := top.got[k]
					require.True(t, ok, "%s/%s missing", top.name, k)
					require.Len(t, g, len(w))
					for i := range w {
						if d := math.Abs(float64(g[i] - w[i])); d > worst {
							worst, worstName = d, k
						}
					}
				}
				t.Logf("%s after one step: max |Δ| = %.2g (%s)", top.name, worst, worstName)
				require.LessOrEqual(t, worst, 1e-5, top.name)
			}
		})
	}
}
