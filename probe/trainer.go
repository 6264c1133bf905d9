package probe

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/optim"
	"github.com/vjepa-go/vjepa/internal/trainstate"
)

// HParams are one head's learning rate and weight decay for one step.
type HParams struct{ LR, WeightDecay float64 }

// TrainerOptions configure a set of probe heads trained together on the same features.
type TrainerOptions struct {
	Model Model
	// SweepSize is the number of probe heads (one per hyper-parameter setting of a sweep).
	SweepSize int
	// ClipGrad clips each head's gradient norm (1.0 in V-JEPA; 0 disables, as V-JEPA 2).
	ClipGrad float64
}

// Trainer trains several probe heads at once with AdamW and evaluates them. Head i's state
// and scalars are named "head<i>" and "head<i>.opt" in its graphs.
type Trainer struct {
	opts  TrainerOptions
	heads []*trainstate.Group
	step  int64
	train *trainstate.Exec
	probs *trainstate.Exec
}

// Names of the trainer graphs' inputs and outputs besides the heads' state.
const (
	inFeatures = "x"       // [B,N,D]
	inLabels   = "labels"  // [B] int32
	outLoss    = "loss"    // per head
	outCorrect = "correct" // per head: correct predictions of the batch
	outProbs   = "probs"   // per head: class probabilities [B,C]
)

func headName(i int) string { return fmt.Sprintf("head%d", i) }

func optName(i int) string { return headName(i) + ".opt" }

// NewTrainer uploads the heads' initial parameters (one HostParams per head).
func NewTrainer(backend compute.Backend, opts TrainerOptions, init []backbone.HostParams) (*Trainer, error) {
	if err := opts.Model.Validate(); err != nil {
		return nil, err
	}
	if len(init) != opts.SweepSize || opts.SweepSize < 1 {
		return nil, fmt.Errorf("probe trainer: %d initial parameter sets for %d heads", len(init), opts.SweepSize)
	}
	t := &Trainer{opts: opts}
	for i, p := range init {
		h, err := t.newHead(p, nil)
		if err != nil {
			return nil, fmt.Errorf("probe head %d: %w", i, err)
		}
		t.heads = append(t.heads, h)
	}
	var err error
	if t.train, err = trainstate.NewExec(backend, t.buildTrain); err != nil {
		return nil, err
	}
	if t.probs, err = trainstate.NewExec(backend, t.buildProbs); err != nil {
		return nil, err
	}
	return t, nil
}

// newHead uploads one head's parameters and moments (nil: a fresh optimiser).
func (t *Trainer) newHead(params backbone.HostParams, moments map[string][2][]float32) (*trainstate.Group, error) {
	specs := t.opts.Model.Specs()
	if err := params.CheckAgainst(specs); err != nil {
		return nil, err
	}
	ps := make([]trainstate.Param, len(specs))
	for i, s := range specs {
		ps[i] = trainstate.Param{Name: s.Name, Shape: s.Shape}
	}
	return trainstate.NewGroup(ps, params, moments)
}

// buildTrain takes one AdamW step of every head on the batch; outputs the heads' new state
// and, per head, the loss and the number of correct predictions.
func (t *Trainer) buildTrain(in trainstate.Nodes) trainstate.Nodes {
	x, labels := in.One(inFeatures), in.One(inLabels)
	b := x.Shape().Dim(0)
	onehot := OneHot(labels, t.opts.Model.NumClasses, dtypes.Float32)
	out := trainstate.Nodes{}
	for i, h := range t.heads {
		st := trainstate.ReadState(in, headName(i))
		logits := t.opts.Model.Logits(h.Weights(st.Params), x)
		loss := DivScalar(Neg(ReduceAllSum(Mul(onehot, LogSoftmax(logits, -1)))), float64(b))
		pred := ArgMax(logits, -1, dtypes.Int32)
		correct := ReduceAllSum(ConvertDType(Equal(pred, labels), dtypes.Float32))
		next, _ := optim.Step(st, Gradient(loss, st.Params...), h.Decayed, trainstate.ReadScalars(in, optName(i)))
		trainstate.WriteState(out, headName(i), next)
		out[outLoss] = append(out[outLoss], loss)
		out[outCorrect] = append(out[outCorrect], correct)
	}
	return out
}

// buildProbs: outputs every head's softmax [B,C] of the features.
func (t *Trainer) buildProbs(in trainstate.Nodes) trainstate.Nodes {
	x := in.One(inFeatures)
	out := trainstate.Nodes{}
	for i, h := range t.heads {
		w := h.Weights(trainstate.ReadParams(in, headName(i)))
		out[outProbs] = append(out[outProbs], Softmax(t.opts.Model.Logits(w, x), -1))
	}
	return out
}

// StepStats are one head's scalars of a training step.
type StepStats struct {
	Loss    float64
	Correct int
}

// Step trains every head on features x [B,N,D] with labels; hp gives each head's lr and wd.
func (t *Trainer) Step(x backbone.HostTensor, labels []int32, hp []HParams) ([]StepStats, error) {
	if len(hp) != len(t.heads) {
		return nil, fmt.Errorf("probe step: %d hyper-parameter sets for %d heads", len(hp), len(t.heads))
	}
	if err := t.checkFeatures(x); err != nil {
		return nil, err
	}
	if len(labels) != x.Shape[0] {
		return nil, fmt.Errorf("probe step: %d labels for %d samples", len(labels), x.Shape[0])
	}
	for _, l := range labels {
		if l < 0 || int(l) >= t.opts.Model.NumClasses {
			return nil, fmt.Errorf("probe step: label %d out of range [0,%d)", l, t.opts.Model.NumClasses)
		}
	}
	in := trainstate.Tensors{inFeatures: {tensors.FromFlatDataAndDimensions(x.F32, x.Shape...)},
		inLabels: {tensors.FromFlatDataAndDimensions(labels, len(labels))}}
	for i, h := range t.heads {
		h.Put(in, headName(i))
		trainstate.PutScalars(in, optName(i), optim.StepScalars(t.step+1, hp[i].LR, hp[i].WeightDecay, t.opts.ClipGrad))
	}
	out, err := t.train.Call(in)
	if err != nil {
		return nil, fmt.Errorf("probe step: %w", err)
	}
	for i, h := range t.heads {
		h.Replace(out, headName(i))
	}
	loss, correct := out.Scalars(outLoss), out.Scalars(outCorrect)
	stats := make([]StepStats, len(t.heads))
	for i := range stats {
		stats[i] = StepStats{Loss: loss[i], Correct: int(correct[i])}
	}
	t.step++
	return stats, nil
}

func (t *Trainer) checkFeatures(x backbone.HostTensor) error {
	if len(x.Shape) != 3 || x.Shape[2] != t.opts.Model.EmbedDim {
		return fmt.Errorf("probe: features must be [B,N,%d], got %v", t.opts.Model.EmbedDim, x.Shape)
	}
	return nil
}

// Probs returns each head's class probabilities for features x [B,N,D], row-major [B,C].
func (t *Trainer) Probs(x backbone.HostTensor) ([][]float32, error) {
	if err := t.checkFeatures(x); err != nil {
		return nil, err
	}
	in := trainstate.Tensors{inFeatures: {tensors.FromFlatDataAndDimensions(x.F32, x.Shape...)}}
	for i, h := range t.heads {
		h.PutParams(in, headName(i))
	}
	out, err := t.probs.Call(in)
	if err != nil {
		return nil, fmt.Errorf("probe eval: %w", err)
	}
	res := make([][]float32, len(out[outProbs]))
	for i, o := range out[outProbs] {
		res[i] = tensors.MustCopyFlatData[float32](o)
	}
	return res, nil
}

// Params returns head i's parameters on the host.
func (t *Trainer) Params(i int) backbone.HostParams { return t.heads[i].Host() }

// Moments returns head i's AdamW moments by parameter name.
func (t *Trainer) Moments(i int) map[string][2][]float32 { return t.heads[i].HostMoments() }

// SetState restores head i's parameters and moments and the step count (resume).
func (t *Trainer) SetState(i int, params backbone.HostParams, moments map[string][2][]float32, step int64) error {
	h, err := t.newHead(params, moments)
	if err != nil {
		return err
	}
	t.heads[i].Free()
	t.heads[i] = h
	t.step = step
	return nil
}

// StepCount is the number of optimiser steps taken.
func (t *Trainer) StepCount() int64 { return t.step }

// SweepSize is the number of probe heads trained together.
func (t *Trainer) SweepSize() int { return len(t.heads) }
