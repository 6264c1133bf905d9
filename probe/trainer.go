package probe

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/optim"
)

// HParams are one head's learning rate and weight decay for one step.
type HParams struct{ LR, WeightDecay float64 }

// TrainerOptions configure a set of probe heads trained together on the same features.
type TrainerOptions struct {
	Model Model
	// NumHeads is the number of heads (one per hyper-parameter setting of a sweep).
	NumHeads int
	// ClipGrad clips each head's gradient norm (1.0 in V-JEPA; 0 disables, as V-JEPA 2).
	ClipGrad float64
	// DecayAll applies weight decay to every parameter (V-JEPA 2); otherwise biases and 1-D
	// parameters are excluded (V-JEPA).
	DecayAll bool
}

// head is one probe's parameters and AdamW moments on the device.
type head struct {
	values, m, v []*tensors.Tensor
}

// Trainer trains several probe heads at once with AdamW and evaluates them.
type Trainer struct {
	opts    TrainerOptions
	specs   []backbone.ParamSpec // sorted by name
	decayed []bool
	heads   []*head
	step    int64
	train   *Exec
	probs   *Exec
}

// NewTrainer uploads the heads' initial parameters (one HostParams per head).
func NewTrainer(backend compute.Backend, opts TrainerOptions, init []backbone.HostParams) (*Trainer, error) {
	if err := opts.Model.Validate(); err != nil {
		return nil, err
	}
	if len(init) != opts.NumHeads || opts.NumHeads < 1 {
		return nil, fmt.Errorf("probe trainer: %d initial parameter sets for %d heads", len(init), opts.NumHeads)
	}
	t := &Trainer{opts: opts, specs: opts.Model.Specs()}
	sort.Slice(t.specs, func(i, j int) bool { return t.specs[i].Name < t.specs[j].Name })
	for _, s := range t.specs {
		t.decayed = append(t.decayed, opts.DecayAll || (!strings.Contains(s.Name, "bias") && len(s.Shape) != 1))
	}
	for i, p := range init {
		if err := p.CheckAgainst(t.specs); err != nil {
			return nil, fmt.Errorf("probe head %d: %w", i, err)
		}
		h := &head{}
		for _, s := range t.specs {
			h.values = append(h.values, tensors.FromFlatDataAndDimensions(append([]float32(nil), p[s.Name]...), s.Shape...))
			h.m = append(h.m, tensors.FromShape(shapes.Make(dtypes.Float32, s.Shape...)))
			h.v = append(h.v, tensors.FromShape(shapes.Make(dtypes.Float32, s.Shape...)))
		}
		t.heads = append(t.heads, h)
	}
	var err error
	if t.train, err = NewExec(backend, t.buildTrain); err != nil {
		return nil, err
	}
	if t.probs, err = NewExec(backend, t.buildProbs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Trainer) weights(nodes []*Node) backbone.Weights {
	w := backbone.Weights{}
	for i, s := range t.specs {
		w[s.Name] = nodes[i]
	}
	return w
}

// buildTrain: inputs are, per head, params, m, v; then x [B,N,D], labels [B] int32; then per
// head lr and wd; then bc1, bc2. Outputs: per head new params, m, v; then per head loss and
// number of correct predictions.
func (t *Trainer) buildTrain(in []*Node) []*Node {
	np, nh := len(t.specs), len(t.heads)
	take := func(n int) []*Node { out := in[:n]; in = in[n:]; return out }
	type hv struct{ p, m, v []*Node }
	hs := make([]hv, nh)
	for i := range hs {
		hs[i] = hv{take(np), take(np), take(np)}
	}
	x, labels := in[0], in[1]
	in = in[2:]
	hps := take(2 * nh)
	bc1, bc2 := in[0], in[1]
	clipMax := Scalar(x.Graph(), dtypes.Float32, t.opts.ClipGrad)
	b := x.Shape().Dim(0)
	onehot := OneHot(labels, t.opts.Model.NumClasses, dtypes.Float32)

	var outs, stats []*Node
	for i, h := range hs {
		logits := t.opts.Model.Logits(t.weights(h.p), x)
		loss := DivScalar(Neg(ReduceAllSum(Mul(onehot, LogSoftmax(logits, -1)))), float64(b))
		pred := ArgMax(logits, -1, dtypes.Int32)
		correct := ReduceAllSum(ConvertDType(Equal(pred, labels), dtypes.Float32))
		grads := Gradient(loss, h.p...)
		grads, _ = optim.ClipByGlobalNorm(grads, clipMax)
		p, m, v := optim.AdamW(h.p, grads, h.m, h.v, t.decayed, hps[2*i], hps[2*i+1], bc1, bc2)
		outs = append(append(append(outs, p...), m...), v...)
		stats = append(stats, loss, correct)
	}
	return append(outs, stats...)
}

// buildProbs: inputs per head params, then x; output per head softmax [B,C].
func (t *Trainer) buildProbs(in []*Node) []*Node {
	np := len(t.specs)
	x := in[np*len(t.heads)]
	var out []*Node
	for i := range t.heads {
		out = append(out, Softmax(t.opts.Model.Logits(t.weights(in[i*np:(i+1)*np]), x), -1))
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
	var args []any
	for _, h := range t.heads {
		for _, g := range [][]*tensors.Tensor{h.values, h.m, h.v} {
			for _, v := range g {
				args = append(args, v)
			}
		}
	}
	args = append(args, tensors.FromFlatDataAndDimensions(x.F32, x.Shape...), tensors.FromFlatDataAndDimensions(labels, len(labels)))
	for _, h := range hp {
		args = append(args, tensors.FromScalar(float32(h.LR)), tensors.FromScalar(float32(h.WeightDecay)))
	}
	n := float64(t.step + 1)
	args = append(args, tensors.FromScalar(float32(1-math.Pow(optim.Beta1, n))), tensors.FromScalar(float32(1-math.Pow(optim.Beta2, n))))
	out, err := t.train.Call(args...)
	if err != nil {
		return nil, fmt.Errorf("probe step: %w", err)
	}
	np := len(t.specs)
	for _, h := range t.heads {
		for _, g := range []*[]*tensors.Tensor{&h.values, &h.m, &h.v} {
			for i := range *g {
				(*g)[i].FinalizeAll()
				(*g)[i] = out[i]
			}
			out = out[np:]
		}
	}
	stats := make([]StepStats, len(t.heads))
	for i := range stats {
		stats[i] = StepStats{Loss: float64(tensors.ToScalar[float32](out[2*i])), Correct: int(tensors.ToScalar[float32](out[2*i+1]))}
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
	var args []any
	for _, h := range t.heads {
		for _, v := range h.values {
			args = append(args, v)
		}
	}
	args = append(args, tensors.FromFlatDataAndDimensions(x.F32, x.Shape...))
	out, err := t.probs.Call(args...)
	if err != nil {
		return nil, fmt.Errorf("probe eval: %w", err)
	}
	res := make([][]float32, len(out))
	for i, o := range out {
		res[i] = tensors.MustCopyFlatData[float32](o)
	}
	return res, nil
}

// Params returns head i's parameters on the host.
func (t *Trainer) Params(i int) backbone.HostParams {
	out := backbone.HostParams{}
	for j, s := range t.specs {
		out[s.Name] = tensors.MustCopyFlatData[float32](t.heads[i].values[j])
	}
	return out
}

// Moments returns head i's AdamW moments by parameter name.
func (t *Trainer) Moments(i int) map[string][2][]float32 {
	out := map[string][2][]float32{}
	for j, s := range t.specs {
		out[s.Name] = [2][]float32{tensors.MustCopyFlatData[float32](t.heads[i].m[j]), tensors.MustCopyFlatData[float32](t.heads[i].v[j])}
	}
	return out
}

// SetState restores head i's parameters and moments and the step count (resume).
func (t *Trainer) SetState(i int, params backbone.HostParams, moments map[string][2][]float32, step int64) error {
	if err := params.CheckAgainst(t.specs); err != nil {
		return err
	}
	h := t.heads[i]
	for j, s := range t.specs {
		mv, ok := moments[s.Name]
		if !ok {
			mv = [2][]float32{make([]float32, s.Size()), make([]float32, s.Size())}
		}
		h.values[j] = tensors.FromFlatDataAndDimensions(append([]float32(nil), params[s.Name]...), s.Shape...)
		h.m[j] = tensors.FromFlatDataAndDimensions(append([]float32(nil), mv[0]...), s.Shape...)
		h.v[j] = tensors.FromFlatDataAndDimensions(append([]float32(nil), mv[1]...), s.Shape...)
	}
	t.step = step
	return nil
}

// StepCount is the number of optimiser steps taken.
func (t *Trainer) StepCount() int64 { return t.step }

// NumHeads is the number of heads.
func (t *Trainer) NumHeads() int { return len(t.heads) }
