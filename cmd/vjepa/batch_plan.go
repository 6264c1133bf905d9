package main

import (
	"fmt"
	"os"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/membudget"
	"github.com/vjepa-go/vjepa/probe"
)

// maxAutoEncoderBatch caps the batch embed picks by itself: past it the encoder's throughput
// no longer grows on a CPU, and a GPU is fed by the loader's workers anyway.
const maxAutoEncoderBatch = 16

// encoderBatch is the number of clips per no-grad encoder call of model on backend: flag
// when it is set (refused with one line when its estimate does not fit), else the largest
// batch up to auto that fits. The refusal comes before any weights are loaded.
func encoderBatch(backend compute.Backend, model backbone.Config, what string, flag, auto int) (int, error) {
	plan := backbone.BatchPlan{What: what, Want: flag, Need: func(b int) float64 { return backbone.EstimateForwardBytes(model, b) }}
	if flag == 0 {
		plan.Want, plan.Auto = auto, true
	}
	return backbone.PlanBatch(plan, membudget.For(backend))
}

// planProbeExtraction sets the feature extraction batch of e to the largest that fits, up to
// the recipe's batch (the features do not depend on it). With augmentation the encoder runs
// on every training batch, whose size is the recipe's: it must fit as it is.
func planProbeExtraction(e *probe.Experiment, backend compute.Backend) error {
	what := fmt.Sprintf("probe %s: encoder forward %s %d×%d", e.Dataset, e.Model.Name, e.Model.NumFrames, e.Model.CropSize)
	if e.Data.Augment {
		_, err := encoderBatch(backend, e.Model, what+" on augmented training batches", e.BatchSize, 0)
		return err
	}
	b, err := encoderBatch(backend, e.Model, what, 0, e.BatchSize)
	if err != nil {
		return err
	}
	if b < e.BatchSize {
		fmt.Fprintf(os.Stderr, "feature extraction: %d clips per encoder call (batch %d does not fit the %s)\n",
			b, e.BatchSize, membudget.For(backend))
	}
	e.ExtractBatchSize = b
	return nil
}
