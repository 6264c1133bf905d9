package benchmarks

import (
	"fmt"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

// planEncoderBatch is the batch an encoder case runs with (backbone.PlanBatch against
// o.Memory): its own when it fits, else the largest that fits with a note saying so. A batch
// fixed by --batch that does not fit is an error; a case whose single clip does not fit
// returns 0 and the reason, and the row is skipped.
func planEncoderBatch(ec EncoderCase, o Options) (int, string, error) {
	c := ec.Config
	need := func(b int) float64 { return backbone.EstimateForwardBytes(c, b) }
	if ec.WeightsOnce {
		need = func(b int) float64 { return backbone.EstimateForwardBytesWeightsOnce(c, b) }
	}
	plan := backbone.BatchPlan{What: "encoder forward " + ec.ID(), Want: ec.Batch, Auto: !o.FixedBatch, Need: need}
	return planned(plan, o)
}

// planStepBatch is planEncoderBatch for a pretraining step on b's mask lengths.
func planStepBatch(sc StepCase, b pretrain.Batch, o Options) (int, string, error) {
	c := sc.Config
	kc, kp := maskLengths(b)
	plan := backbone.BatchPlan{What: "pretraining step " + sc.ID(), Want: sc.Batch, Auto: !o.FixedBatch,
		Need: func(batch int) float64 { return backbone.EstimateStepBytes(c, kc, kp, batch) }}
	return planned(plan, o)
}

// planProbeBatch is planEncoderBatch for a probe training step
// (backbone.EstimateProbeStepBytes).
func planProbeBatch(pc ProbeCase, o Options) (int, string, error) {
	plan := backbone.BatchPlan{What: "probe step " + pc.ID(), Want: pc.Batch, Auto: !o.FixedBatch,
		Need: func(b int) float64 { return probeStepEstimate(pc, b) }}
	return planned(plan, o)
}

// probeStepEstimate is the estimated peak memory of pc's training step at batch clips.
func probeStepEstimate(pc ProbeCase, batch int) float64 {
	m := pc.Model
	return backbone.EstimateProbeStepBytes(m.EmbedDim, m.NumHeads, m.SelfBlocks(), pc.Tokens, batch, pc.Heads,
		backbone.NumParams(m.Specs()))
}

// planned runs the planner: the batch and, when it was reduced or nothing fits, a note.
func planned(plan backbone.BatchPlan, o Options) (int, string, error) {
	batch, err := backbone.PlanBatch(plan, o.Memory)
	switch {
	case err != nil && o.FixedBatch:
		return 0, "", err
	case err != nil:
		return 0, err.Error(), nil
	case batch != plan.Want:
		return batch, fmt.Sprintf("batch reduced from %d to %d to fit memory (≈%.1f GiB estimated at %d, %s)",
			plan.Want, batch, plan.Need(plan.Want)/(1<<30), plan.Want, o.Memory), nil
	}
	return batch, "", nil
}

// maskLengths are the context and target token counts of b, per mask configuration.
func maskLengths(b pretrain.Batch) (kc, kp []int) {
	for i := range b.Context {
		kc, kp = append(kc, b.Context[i].Shape[1]), append(kp, b.Target[i].Shape[1])
	}
	return kc, kp
}
