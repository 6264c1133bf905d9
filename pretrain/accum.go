package pretrain

import (
	"errors"
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive

	"github.com/vjepa-go/vjepa/internal/trainstate"
)

// accumExecs are the graphs of a step with gradient accumulation: one computes a
// micro-batch's loss and adds its gradients to the running sum, the other averages the sum
// and takes the optimiser and EMA step.
type accumExecs struct {
	grads, apply *trainstate.Exec
}

// AccumStep runs one optimiser step on the micro-batches together, as one step on their
// concatenation would (the gradient accumulation of `optimization.accum_steps`): the
// gradients of the micro-batches are averaged, then clipped, and one AdamW step and one EMA
// update follow. The reported losses and gradient norms are those of the optimiser step
// (losses averaged over the micro-batches). Every micro-batch must have the same size and
// mask lengths, so that the average of their mean losses is the mean loss of their
// concatenation. One micro-batch is a plain Step.
func (s *Stepper) AccumStep(micro []Batch, hp HParams) (StepStats, error) {
	switch {
	case len(micro) == 0:
		return StepStats{}, errors.New("accumulated step: no micro-batches")
	case len(micro) == 1:
		return s.Step(micro[0], hp)
	}
	if err := checkMicroBatches(micro, s.numMasks); err != nil {
		return StepStats{}, err
	}
	if s.accum == nil {
		grads, err := trainstate.NewExec(s.backend, s.buildAccumGrads)
		if err != nil {
			return StepStats{}, fmt.Errorf("accumulated step: %w", err)
		}
		grads.SetMaxCache(256)
		apply, err := trainstate.NewExec(s.backend, s.buildAccumApply)
		if err != nil {
			return StepStats{}, fmt.Errorf("accumulated step: %w", err)
		}
		s.accum = &accumExecs{grads: grads, apply: apply}
	}
	sum, st, err := s.accumulate(micro)
	if err != nil {
		return StepStats{}, err
	}
	in := s.stateInputs(hp)
	for k, v := range sum {
		in[k] = v
	}
	in.PutScalar(inInvMicro, 1/float64(len(micro)))
	out, err := s.accum.apply.Call(in)
	sum.Free()
	if err != nil {
		return StepStats{}, fmt.Errorf("train step %d: %w", s.step+1, err)
	}
	s.replaceState(out)
	st.GradNormEnc, st.GradNormPred = out.Scalar(outNormEnc), out.Scalar(outNormPred)
	s.step++
	return st, nil
}

// accumulate runs the micro-batches and returns the sum of their gradients (by the names
// inGradsEnc and inGradsPred) and their mean losses.
func (s *Stepper) accumulate(micro []Batch) (trainstate.Tensors, StepStats, error) {
	var sum trainstate.Tensors // running gradient sum
	st := StepStats{LossPerMask: make([]float64, s.numMasks)}
	// The weights and position tables are the same for every micro-batch (checkMicroBatches:
	// one clip shape); the batch and the running sum are replaced in each.
	in := trainstate.Tensors{inTarget: s.target}
	s.enc.PutParams(in, prefixEnc)
	s.pred.PutParams(in, prefixPred)
	if err := s.putPositions(in, micro[0].Clip); err != nil {
		return nil, StepStats{}, err
	}
	for i, b := range micro {
		s.putBatch(in, b)
		for k, v := range sum {
			in[k] = v
		}
		out, err := s.accum.grads.Call(in)
		sum.Free()
		if err != nil {
			return nil, StepStats{}, fmt.Errorf("train step %d, micro-batch %d: %w", s.step+1, i+1, err)
		}
		sum = trainstate.Tensors{inGradsEnc: out[inGradsEnc], inGradsPred: out[inGradsPred]}
		st.Loss += out.Scalar(outLoss)
		for m, x := range out.Scalars(outLossMask) {
			st.LossPerMask[m] += x
		}
	}
	k := float64(len(micro))
	st.Loss /= k
	for m := range st.LossPerMask {
		st.LossPerMask[m] /= k
	}
	return sum, st, nil
}

// checkMicroBatches rejects micro-batches whose sizes or mask lengths differ.
func checkMicroBatches(micro []Batch, numMasks int) error {
	for i, b := range micro {
		if len(b.Context) != numMasks || len(b.Target) != numMasks {
			return fmt.Errorf("micro-batch %d has %d/%d masks, want %d", i+1, len(b.Context), len(b.Target), numMasks)
		}
		if !slices.Equal(b.Clip.Shape, micro[0].Clip.Shape) {
			return fmt.Errorf("micro-batch %d: clip %v, micro-batch 1 has %v", i+1, b.Clip.Shape, micro[0].Clip.Shape)
		}
		for m := range numMasks {
			if !slices.Equal(b.Context[m].Shape, micro[0].Context[m].Shape) || !slices.Equal(b.Target[m].Shape, micro[0].Target[m].Shape) {
				return fmt.Errorf("micro-batch %d: mask %d has context/target %v/%v, micro-batch 1 has %v/%v", i+1, m,
					b.Context[m].Shape, b.Target[m].Shape, micro[0].Context[m].Shape, micro[0].Target[m].Shape)
			}
		}
	}
	return nil
}

// buildAccumGrads: inputs the encoder, predictor and target weights, the batch and, after
// the first micro-batch, the running gradient sum; outputs the new sum, the loss and the
// loss of each mask configuration.
func (s *Stepper) buildAccumGrads(in trainstate.Nodes) trainstate.Nodes {
	enc, pred := trainstate.ReadParams(in, prefixEnc), trainstate.ReadParams(in, prefixPred)
	loss, perMask := s.buildLoss(enc, pred, in)
	grads := Gradient(loss, append(append([]*Node{}, enc...), pred...)...)
	if sum, ok := in[inGradsEnc]; ok { // running sum
		sum = append(append([]*Node{}, sum...), in[inGradsPred]...)
		for i := range grads {
			grads[i] = Add(sum[i], grads[i])
		}
	}
	ne := len(enc)
	return trainstate.Nodes{inGradsEnc: grads[:ne], inGradsPred: grads[ne:], outLoss: {loss}, outLossMask: perMask}
}

// buildAccumApply: inputs the state, the step's scalars, the gradient sum and 1/k; outputs
// the new state and the gradient norms of the averaged gradients.
func (s *Stepper) buildAccumApply(in trainstate.Nodes) trainstate.Nodes {
	invK := in.One(inInvMicro)
	mean := func(sum []*Node) []*Node {
		out := make([]*Node, len(sum))
		for i, g := range sum {
			out[i] = Mul(g, invK)
		}
		return out
	}
	return s.buildUpdate(in, mean(in[inGradsEnc]), mean(in[inGradsPred]))
}
