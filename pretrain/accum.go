package pretrain

import (
	"errors"
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
)

// accumExecs are the graphs of a step with gradient accumulation: one computes a
// micro-batch's loss and adds its gradients to the running sum, the other averages the sum
// and takes the optimiser and EMA step.
type accumExecs struct {
	grads, apply *Exec
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
		grads, err := NewExec(s.backend, s.buildAccumGrads)
		if err != nil {
			return StepStats{}, fmt.Errorf("accumulated step: %w", err)
		}
		grads.SetMaxCache(256)
		apply, err := NewExec(s.backend, s.buildAccumApply)
		if err != nil {
			return StepStats{}, fmt.Errorf("accumulated step: %w", err)
		}
		s.accum = &accumExecs{grads: grads, apply: apply}
	}
	encPos, predPos, err := s.posTables(micro[0].Clip)
	if err != nil {
		return StepStats{}, err
	}
	ne, np := s.counts()
	var sum []*tensors.Tensor // running gradient sum: encoder, then predictor
	free := func() {
		for _, g := range sum {
			g.FinalizeAll()
		}
	}
	st := StepStats{LossPerMask: make([]float64, s.numMasks)}
	for i, b := range micro {
		args := []any{}
		for _, group := range [][]*tensors.Tensor{s.enc.values, s.pred.values, s.target} {
			for _, x := range group {
				args = append(args, x)
			}
		}
		args = append(args, s.batchArgs(b, encPos, predPos)...)
		for _, g := range sum {
			args = append(args, g)
		}
		out, err := s.accum.grads.Call(args...)
		if err != nil {
			free()
			return StepStats{}, fmt.Errorf("train step %d, micro-batch %d: %w", s.step+1, i+1, err)
		}
		free()
		sum = out[:ne+np]
		st.Loss += float64(tensors.ToScalar[float32](out[ne+np]))
		for m, x := range out[ne+np+1:] {
			st.LossPerMask[m] += float64(tensors.ToScalar[float32](x))
		}
	}
	k := float64(len(micro))
	st.Loss /= k
	for m := range st.LossPerMask {
		st.LossPerMask[m] /= k
	}

	args := s.stateArgs()
	for _, g := range sum {
		args = append(args, g)
	}
	args = append(args, s.hparamArgs(hp)...)
	args = append(args, scalar(1/k))
	out, err := s.accum.apply.Call(args...)
	free()
	if err != nil {
		return StepStats{}, fmt.Errorf("train step %d: %w", s.step+1, err)
	}
	out = s.replaceState(out)
	st.GradNormEnc = float64(tensors.ToScalar[float32](out[0]))
	st.GradNormPred = float64(tensors.ToScalar[float32](out[1]))
	s.step++
	return st, nil
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

// buildAccumGrads: inputs encoder, predictor and target weights, the batch (clip, position
// tables, masks) and, after the first micro-batch, the running gradient sum; outputs the new
// sum, the loss and the loss of each mask configuration.
func (s *Stepper) buildAccumGrads(in []*Node) []*Node {
	ne, np := s.counts()
	take := func(n int) []*Node { out := in[:n]; in = in[n:]; return out }
	enc, pred, tgt := take(ne), take(np), take(ne)
	clip, encPos, predPos := in[0], in[1], in[2]
	in = in[3:]
	masks := take(2 * s.numMasks)
	loss, perMask := s.buildLoss(enc, pred, tgt, clip, encPos, predPos, masks)
	grads := Gradient(loss, append(append([]*Node{}, enc...), pred...)...)
	if len(in) == ne+np { // running sum
		for i := range grads {
			grads[i] = Add(in[i], grads[i])
		}
	}
	return append(append(grads, loss), perMask...)
}

// buildAccumApply: inputs the state (stateArgs order), the gradient sum, the step's
// scalars and 1/k; outputs the new state and the gradient norms of the averaged gradients.
func (s *Stepper) buildAccumApply(in []*Node) []*Node {
	ne, np := s.counts()
	take := func(n int) []*Node { out := in[:n]; in = in[n:]; return out }
	u := updateInputs{}
	u.enc, u.pred, u.tgt = take(ne), take(np), take(ne)
	u.mEnc, u.vEnc, u.mPred, u.vPred = take(ne), take(ne), take(np), take(np)
	sum := take(ne + np)
	u.lr, u.wd, u.mom, u.bc1, u.bc2, u.clipMax = in[0], in[1], in[2], in[3], in[4], in[5]
	invK := in[6]
	mean := make([]*Node, len(sum))
	for i, g := range sum {
		mean[i] = Mul(g, invK)
	}
	u.gEnc, u.gPred = mean[:ne], mean[ne:]
	out, normEnc, normPred := s.buildUpdate(u)
	return append(out, normEnc, normPred)
}
