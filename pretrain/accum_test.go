package pretrain_test

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/pretrain"
)

// splitBatch cuts b into micro-batches of size clips each (clips, context and target rows).
func splitBatch(t *testing.T, b pretrain.Batch, size int) []pretrain.Batch {
	t.Helper()
	n := b.Clip.Shape[0]
	require.Zero(t, n%size, "batch %d in micro-batches of %d", n, size)
	perClip := len(b.Clip.F32) / n
	rows := func(h backbone.HostTensor, from, to int) backbone.HostTensor {
		k := h.Shape[1]
		return backbone.HostTensor{Shape: []int{to - from, k}, I64: h.I64[from*k : to*k]}
	}
	var out []pretrain.Batch
	for from := 0; from < n; from += size {
		to := from + size
		shape := append([]int{size}, b.Clip.Shape[1:]...)
		mb := pretrain.Batch{Clip: backbone.HostTensor{Shape: shape, F32: b.Clip.F32[from*perClip : to*perClip]}}
		for i := range b.Context {
			mb.Context = append(mb.Context, rows(b.Context[i], from, to))
			mb.Target = append(mb.Target, rows(b.Target[i], from, to))
		}
		out = append(out, mb)
	}
	return out
}

// fixtureState is the fixture's official checkpoint before its training step.
func fixtureState(t *testing.T, f *fixtures.Fixture) *pretrain.State {
	t.Helper()
	st := &pretrain.State{Moments: map[string][2][]float32{}}
	var err error
	st.Encoder, err = f.Params("checkpoint.pth", "encoder")
	require.NoError(t, err)
	st.Predictor, err = f.Params("checkpoint.pth", "predictor")
	require.NoError(t, err)
	st.Target, err = f.Params("checkpoint.pth", "target_encoder")
	require.NoError(t, err)
	return st
}

// requireStatesClose compares every weight and AdamW moment of two states.
func requireStatesClose(t *testing.T, want, got *pretrain.State, tol float64) {
	t.Helper()
	assert.Equal(t, want.Step, got.Step)
	for _, top := range []struct {
		name      string
		want, got backbone.HostParams
	}{{"encoder", want.Encoder, got.Encoder}, {"predictor", want.Predictor, got.Predictor}, {"target", want.Target, got.Target}} {
		require.Len(t, top.got, len(top.want), top.name)
		worst, worstName := 0.0, ""
		for k, w := range top.want {
			if d := maxDiff(top.got[k], w); d > worst {
				worst, worstName = d, k
			}
		}
		t.Logf("%s: max |Δ| = %.2g (%s)", top.name, worst, worstName)
		require.LessOrEqual(t, worst, tol, "%s %s", top.name, worstName)
	}
	require.Len(t, got.Moments, len(want.Moments))
	for k, w := range want.Moments {
		g := got.Moments[k]
		// The second moment holds squared gradients: compare relative to its scale.
		require.LessOrEqual(t, maxDiff(g[0], w[0]), tol, "first moment %s", k)
		require.LessOrEqual(t, maxDiff(g[1], w[1]), tol*maxAbs(w[1])+1e-12, "second moment %s", k)
	}
}

func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, float64(max(x, -x)))
	}
	return m
}

// TestAccumStepEqualsLargeBatch takes two optimiser steps from the fixture's checkpoint once
// on its whole batch (2 clips) and once as 2 accumulated micro-batches of 1 clip with the
// same masks: the weights, moments and target encoders must agree within 1e-5.
func TestAccumStepEqualsLargeBatch(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		batch := fixtureBatch(t, f)
		micro := splitBatch(t, batch, 1)
		require.Len(t, micro, 2)
		for _, tc := range []struct {
			name string
			clip float64
		}{{"no clipping", 0}, {"clipped", 1e-3}} {
			t.Run(tc.name, func(t *testing.T) {
				hp := fixtureHParams(f)
				hp.ClipGrad = tc.clip
				whole, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), fixtureState(t, f))
				require.NoError(t, err)
				accum, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), fixtureState(t, f))
				require.NoError(t, err)
				for step := 1; step <= 2; step++ {
					want, err := whole.Step(batch, hp)
					require.NoError(t, err)
					got, err := accum.AccumStep(micro, hp)
					require.NoError(t, err)
					assert.InDelta(t, want.Loss, got.Loss, 1e-6, "loss, step %d", step)
					require.Len(t, got.LossPerMask, len(want.LossPerMask))
					for m := range want.LossPerMask {
						assert.InDelta(t, want.LossPerMask[m], got.LossPerMask[m], 1e-6, "mask %d loss, step %d", m, step)
					}
					assert.InEpsilon(t, want.GradNormEnc, got.GradNormEnc, 1e-4, "encoder gradient norm, step %d", step)
					assert.InEpsilon(t, want.GradNormPred, got.GradNormPred, 1e-4, "predictor gradient norm, step %d", step)
				}
				requireStatesClose(t, whole.State(), accum.State(), 1e-5)
			})
		}
	})
}

func TestAccumStepRejectsMismatchedMicroBatches(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		stepper, err := pretrain.NewStepper(backend, f.Config, f.NumMasks(), fixtureState(t, f))
		require.NoError(t, err)
		batch := fixtureBatch(t, f)
		_, err = stepper.AccumStep(nil, fixtureHParams(f))
		assert.ErrorContains(t, err, "no micro-batches")
		_, err = stepper.AccumStep([]pretrain.Batch{batch, splitBatch(t, batch, 1)[0]}, fixtureHParams(f))
		assert.ErrorContains(t, err, "micro-batch 2: clip")
		assert.Equal(t, int64(0), stepper.StepCount(), "a rejected step changes nothing")
	})
}
