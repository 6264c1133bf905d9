package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/pretrain"
)

// benchStep times one pretraining step case and its phases: data loading, mask sampling,
// the forward pass alone and the whole step.
func benchStep(ctx context.Context, backend compute.Backend, sc StepCase, o Options) (StepResult, error) {
	c := sc.Config
	res := StepResult{Case: sc, Batch: sc.Batch}
	wrap := func(err error) error { return fmt.Errorf("step %s: %w", sc.Name, err) }
	batch, err := StepBatch(c, sc.Masks, sc.Batch)
	if err != nil {
		return res, wrap(err)
	}
	if res.Batch, res.Note, err = planStepBatch(sc, batch, o); err != nil {
		return res, err
	} else if res.Batch == 0 {
		res.Skipped, res.Note = "skipped: "+res.Note, ""
		return res, nil
	}
	if res.Batch != sc.Batch {
		if batch, err = StepBatch(c, sc.Masks, res.Batch); err != nil {
			return res, wrap(err)
		}
	}
	res.FLOPs = PretrainStepFLOPs(c, batch)
	res.Kc, res.Kp = maskLengths(batch)

	// Data: the loader alone on synthetic-motion at the model's clip size.
	ds, err := syntheticMotion(c.NumFrames, c.CropSize, res.Batch*o.DataBatches)
	if err != nil {
		return res, wrap(err)
	}
	if res.Data, _, err = loaderRate(ctx, ds, res.Batch, 2, o.DataBatches); err != nil {
		return res, wrap(fmt.Errorf("data: %w", err))
	}

	// Masks: fresh draws, as the training loop makes them every step.
	tg, hg, wg := c.Grid()
	sampler, err := pretrain.NewMaskSampler(tg, hg, wg, sc.Masks, 1)
	if err != nil {
		return res, wrap(err)
	}
	start := time.Now()
	for i := range o.MaskDraws {
		if _, err := sampler.Sample(int64(i), res.Batch, rand.New(rand.NewPCG(9, uint64(i)))); err != nil {
			return res, wrap(fmt.Errorf("masks: %w", err))
		}
	}
	res.Masks = time.Since(start).Seconds() / float64(o.MaskDraws)

	st, err := pretrain.InitState(c, 1)
	if err != nil {
		return res, wrap(err)
	}
	stepper, err := pretrain.NewStepper(backend, c, len(sc.Masks), st)
	if err != nil {
		return res, wrap(err)
	}
	hp := pretrain.HParams{LR: 1e-4, WeightDecay: 0.04, Momentum: 0.998}
	res.Step, err = measure(ctx, o.Budget, func() error {
		_, err := stepper.Step(batch, hp)
		return err
	})
	if err != nil {
		return res, wrap(err)
	}

	fwd, err := newForwardPass(backend, c, st, batch)
	if err != nil {
		return res, wrap(err)
	}
	if res.Forward, err = measure(ctx, o.Budget, fwd.run); err != nil {
		return res, wrap(err)
	}
	return res, nil
}
