package pretrain

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/optim"
)

// AdamW constants of the official optimiser (torch.optim.AdamW defaults).
const (
	adamBeta1 = optim.Beta1
	adamBeta2 = optim.Beta2
	adamEps   = optim.Eps
)

// HParams are the per-step values the schedules produce.
type HParams struct {
	LR          float64 // learning rate of every group
	WeightDecay float64 // weight decay of the decayed groups
	Momentum    float64 // EMA momentum applied after the optimiser step
	// ClipGrad is the max global norm for the encoder and the predictor gradients, each
	// clipped separately; 0 disables clipping (the official code clips only after warm-up).
	ClipGrad float64
}

// StepStats are the scalars one step reports.
type StepStats struct {
	Loss         float64
	LossPerMask  []float64
	GradNormEnc  float64 // global gradient norm before clipping
	GradNormPred float64
}

// Batch is one step's input: the clips and, per mask configuration, the context and target
// token indices ([B,Kc] and [B,Kp], int64, ascending).
type Batch struct {
	Clip    backbone.HostTensor
	Context []backbone.HostTensor
	Target  []backbone.HostTensor
}

// Decayed reports whether a parameter is in a weight-decayed group: the official init_opt
// excludes every parameter whose name contains "bias" and every 1-D parameter.
func Decayed(spec backbone.ParamSpec) bool {
	return !strings.Contains(spec.Name, "bias") && len(spec.Shape) != 1
}

// paramGroup is one model's trainable parameters on the device.
type paramGroup struct {
	specs   []backbone.ParamSpec // trainable, sorted by name
	values  []*tensors.Tensor
	m, v    []*tensors.Tensor
	decayed []bool
}

func newParamGroup(specs []backbone.ParamSpec, params backbone.HostParams, moments map[string][2][]float32) (*paramGroup, error) {
	if err := params.CheckAgainst(specs); err != nil {
		return nil, err
	}
	g := &paramGroup{}
	for _, s := range specs {
		if !s.Frozen {
			g.specs = append(g.specs, s)
		}
	}
	sort.Slice(g.specs, func(i, j int) bool { return g.specs[i].Name < g.specs[j].Name })
	for _, s := range g.specs {
		g.values = append(g.values, tensors.FromFlatDataAndDimensions(append([]float32(nil), params[s.Name]...), s.Shape...))
		mv, ok := moments[s.Name]
		if !ok {
			mv = [2][]float32{make([]float32, s.Size()), make([]float32, s.Size())}
		}
		if len(mv[0]) != s.Size() || len(mv[1]) != s.Size() {
			return nil, fmt.Errorf("optimizer state of %s has %d/%d values, want %d", s.Name, len(mv[0]), len(mv[1]), s.Size())
		}
		g.m = append(g.m, tensors.FromFlatDataAndDimensions(append([]float32(nil), mv[0]...), s.Shape...))
		g.v = append(g.v, tensors.FromFlatDataAndDimensions(append([]float32(nil), mv[1]...), s.Shape...))
		g.decayed = append(g.decayed, Decayed(s))
	}
	return g, nil
}

func (g *paramGroup) host() backbone.HostParams {
	out := backbone.HostParams{}
	for i, s := range g.specs {
		out[s.Name] = tensors.MustCopyFlatData[float32](g.values[i])
	}
	return out
}

func (g *paramGroup) hostMoments() map[string][2][]float32 {
	out := map[string][2][]float32{}
	for i, s := range g.specs {
		out[s.Name] = [2][]float32{tensors.MustCopyFlatData[float32](g.m[i]), tensors.MustCopyFlatData[float32](g.v[i])}
	}
	return out
}

// State is everything a training step changes, on the host (for checkpoints).
type State struct {
	// Step is the number of optimiser steps taken.
	Step      int64
	Encoder   backbone.HostParams // context encoder (with its frozen pos_embed)
	Predictor backbone.HostParams // with its frozen predictor_pos_embed
	Target    backbone.HostParams // EMA target encoder
	// Moments are the AdamW first and second moments by "encoder/<name>" or "predictor/<name>".
	Moments map[string][2][]float32
}

// Stepper runs the V-JEPA training step on a backend, keeping the state on the device.
type Stepper struct {
	cfg      backbone.Config
	numMasks int
	enc      *paramGroup
	pred     *paramGroup
	target   []*tensors.Tensor // same order as enc.specs
	encPos   []float32         // construction-grid tables (frozen)
	predPos  []float32
	step     int64
	exec     *Exec
	features *Exec
	backend  compute.Backend
	accum    *accumExecs // built on the first AccumStep of more than one micro-batch
}

// NewStepper uploads st to the backend and prepares the step graph for numMasks mask
// configurations.
func NewStepper(backend compute.Backend, c backbone.Config, numMasks int, st *State) (*Stepper, error) {
	if numMasks < 1 || numMasks > c.NumMaskTokens {
		return nil, fmt.Errorf("%d mask configurations but the predictor has %d mask tokens", numMasks, c.NumMaskTokens)
	}
	split := func(prefix string) map[string][2][]float32 {
		out := map[string][2][]float32{}
		for k, v := range st.Moments {
			if name, ok := strings.CutPrefix(k, prefix); ok {
				out[name] = v
			}
		}
		return out
	}
	s := &Stepper{cfg: c, numMasks: numMasks, step: st.Step, backend: backend,
		encPos: st.Encoder["pos_embed"], predPos: st.Predictor["predictor_pos_embed"]}
	var err error
	if s.enc, err = newParamGroup(backbone.EncoderSpecs(c), st.Encoder, split("encoder/")); err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	if s.pred, err = newParamGroup(backbone.PredictorSpecs(c), st.Predictor, split("predictor/")); err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	if err := st.Target.CheckAgainst(backbone.EncoderSpecs(c)); err != nil {
		return nil, fmt.Errorf("target encoder: %w", err)
	}
	for _, sp := range s.enc.specs {
		s.target = append(s.target, tensors.FromFlatDataAndDimensions(append([]float32(nil), st.Target[sp.Name]...), sp.Shape...))
	}
	if s.exec, err = NewExec(backend, s.buildStep); err != nil {
		return nil, err
	}
	s.exec.SetMaxCache(256)
	if s.features, err = NewExec(backend, s.buildFeatures); err != nil {
		return nil, err
	}
	return s, nil
}

// State copies the device state to the host.
func (s *Stepper) State() *State {
	st := &State{Step: s.step, Encoder: s.enc.host(), Predictor: s.pred.host(), Target: backbone.HostParams{},
		Moments: map[string][2][]float32{}}
	for i, sp := range s.enc.specs {
		st.Target[sp.Name] = tensors.MustCopyFlatData[float32](s.target[i])
	}
	if !s.cfg.UseRoPE { // RoPE models have no tables
		st.Encoder["pos_embed"] = append([]float32(nil), s.encPos...)
		st.Predictor["predictor_pos_embed"] = append([]float32(nil), s.predPos...)
		st.Target["pos_embed"] = append([]float32(nil), s.encPos...)
	}
	for k, v := range s.enc.hostMoments() {
		st.Moments["encoder/"+k] = v
	}
	for k, v := range s.pred.hostMoments() {
		st.Moments["predictor/"+k] = v
	}
	return st
}

// layout of the step graph's inputs.
func (s *Stepper) counts() (ne, np int) { return len(s.enc.specs), len(s.pred.specs) }

func (s *Stepper) buildStep(in []*Node) []*Node {
	ne, np := s.counts()
	take := func(n int) []*Node { out := in[:n]; in = in[n:]; return out }
	enc, pred, tgt := take(ne), take(np), take(ne)
	mEnc, vEnc, mPred, vPred := take(ne), take(ne), take(np), take(np)
	clip, encPos, predPos := in[0], in[1], in[2]
	in = in[3:]
	masks := take(2 * s.numMasks)
	lr, wd, mom, bc1, bc2, clipMax := in[0], in[1], in[2], in[3], in[4], in[5]

	loss, perMask := s.buildLoss(enc, pred, tgt, clip, encPos, predPos, masks)
	grads := Gradient(loss, append(append([]*Node{}, enc...), pred...)...)
	out, normEnc, normPred := s.buildUpdate(updateInputs{enc: enc, pred: pred, tgt: tgt, mEnc: mEnc, vEnc: vEnc,
		mPred: mPred, vPred: vPred, gEnc: grads[:ne], gPred: grads[ne:],
		lr: lr, wd: wd, mom: mom, bc1: bc1, bc2: bc2, clipMax: clipMax})
	out = append(out, loss, normEnc, normPred)
	return append(out, perMask...)
}

// buildLoss builds the V-JEPA loss of one batch (mean over the mask configurations of the
// L1 distance between predictions and layer-normalised target features) and the loss of
// each mask configuration. masks holds the context and target indices of each
// configuration, interleaved.
func (s *Stepper) buildLoss(enc, pred, tgt []*Node, clip, encPos, predPos *Node, masks []*Node) (*Node, []*Node) {
	c := s.cfg
	encW, predW, tgtW := backbone.Weights{}, backbone.Weights{}, backbone.Weights{}
	for i, sp := range s.enc.specs {
		encW[sp.Name], tgtW[sp.Name] = enc[i], tgt[i]
	}
	for i, sp := range s.pred.specs {
		predW[sp.Name] = pred[i]
	}

	// Targets: the EMA encoder on the full clip, layer-normalised without affine, no gradient.
	h, _ := backbone.Encode(c, tgtW, clip, encPos, nil, false)
	h = StopGradient(backbone.PlainLayerNorm(h, backbone.TargetNormEps))

	var loss *Node
	var perMask []*Node
	for i := 0; i < s.numMasks; i++ {
		ctx, tgtIdx := masks[2*i], masks[2*i+1]
		z, _ := backbone.Encode(c, encW, clip, encPos, ctx, false)
		p, _ := backbone.Predict(c, predW, z, ctx, tgtIdx, predPos, trainingMaskToken(c, i), false)
		li := ReduceAllMean(Abs(Sub(p, backbone.GatherTokens(h, tgtIdx))))
		perMask = append(perMask, li)
		if loss == nil {
			loss = li
		} else {
			loss = Add(loss, li)
		}
	}
	return DivScalar(loss, float64(s.numMasks)), perMask
}

// updateInputs are the nodes of an optimiser step: the state, the gradients and the
// per-step scalars.
type updateInputs struct {
	enc, pred, tgt, mEnc, vEnc, mPred, vPred []*Node
	gEnc, gPred                              []*Node
	lr, wd, mom, bc1, bc2, clipMax           *Node
}

// buildUpdate clips the gradients, takes the AdamW step and updates the EMA target. It
// returns the new state in the order Step reads it (encoder, predictor, target, encoder
// moments, predictor moments) and the gradient norms before clipping.
func (s *Stepper) buildUpdate(u updateInputs) (out []*Node, normEnc, normPred *Node) {
	gEnc, normEnc := optim.ClipByGlobalNorm(u.gEnc, u.clipMax)
	gPred, normPred := optim.ClipByGlobalNorm(u.gPred, u.clipMax)

	newEnc, newMEnc, newVEnc := optim.AdamW(u.enc, gEnc, u.mEnc, u.vEnc, s.enc.decayed, u.lr, u.wd, u.bc1, u.bc2)
	newPred, newMPred, newVPred := optim.AdamW(u.pred, gPred, u.mPred, u.vPred, s.pred.decayed, u.lr, u.wd, u.bc1, u.bc2)
	// EMA after the optimiser step: θ_t ← m·θ_t + (1−m)·θ.
	newTgt := make([]*Node, len(u.tgt))
	for i := range u.tgt {
		newTgt[i] = Add(Mul(u.mom, u.tgt[i]), Mul(OneMinus(u.mom), newEnc[i]))
	}
	out = append(append(append(append(append(append(newEnc, newPred...), newTgt...), newMEnc...), newVEnc...), newMPred...), newVPred...)
	return out, normEnc, normPred
}

func (s *Stepper) buildFeatures(in []*Node) *Node {
	ne := len(s.enc.specs)
	w := backbone.Weights{}
	for i, sp := range s.enc.specs {
		w[sp.Name] = in[i]
	}
	h, _ := backbone.Encode(s.cfg, w, in[ne], in[ne+1], nil, false)
	return h
}

func scalar(v float64) *tensors.Tensor { return tensors.FromScalar(float32(v)) }

func (s *Stepper) posTables(clip backbone.HostTensor) (enc, pred *tensors.Tensor, err error) {
	t, h, w := clip.Shape[2], clip.Shape[3], clip.Shape[4]
	e, ew, err := backbone.EncoderPositions(s.cfg, s.encPos, t, h, w)
	if err != nil {
		return nil, nil, err
	}
	p, pw, err := backbone.PredictorPositions(s.cfg, s.predPos, t, h, w)
	if err != nil {
		return nil, nil, err
	}
	return tensors.FromFlatDataAndDimensions(e, len(e)/ew, ew), tensors.FromFlatDataAndDimensions(p, len(p)/pw, pw), nil
}

// trainingMaskToken is the predictor mask token of mask configuration i in training. V-JEPA
// uses one token per mask configuration (jepa:app/vjepa/train.py, mask_index=i); V-JEPA 2
// (the RoPE generation) one per clip length, and clips here have one length, so token 0 for
// every configuration (vjepa2:src/utils/wrappers.py, PredictorMultiSeqWrapper).
func trainingMaskToken(c backbone.Config, i int) int {
	if c.UseRoPE {
		return 0
	}
	return i
}

// Step runs one optimiser step on batch with the hyper-parameters hp.
func (s *Stepper) Step(batch Batch, hp HParams) (StepStats, error) {
	if len(batch.Context) != s.numMasks || len(batch.Target) != s.numMasks {
		return StepStats{}, fmt.Errorf("batch has %d/%d masks, want %d", len(batch.Context), len(batch.Target), s.numMasks)
	}
	encPos, predPos, err := s.posTables(batch.Clip)
	if err != nil {
		return StepStats{}, err
	}
	args := s.stateArgs()
	args = append(args, s.batchArgs(batch, encPos, predPos)...)
	args = append(args, s.hparamArgs(hp)...)
	out, err := s.exec.Call(args...)
	if err != nil {
		return StepStats{}, fmt.Errorf("train step %d: %w", s.step+1, err)
	}
	out = s.replaceState(out)
	st := StepStats{
		Loss:         float64(tensors.ToScalar[float32](out[0])),
		GradNormEnc:  float64(tensors.ToScalar[float32](out[1])),
		GradNormPred: float64(tensors.ToScalar[float32](out[2])),
	}
	for _, x := range out[3:] {
		st.LossPerMask = append(st.LossPerMask, float64(tensors.ToScalar[float32](x)))
	}
	s.step++
	return st, nil
}

// stateArgs are the device state in the order of the step graph's inputs: encoder,
// predictor, target, encoder moments, predictor moments.
func (s *Stepper) stateArgs() []any {
	args := []any{}
	for _, group := range [][]*tensors.Tensor{s.enc.values, s.pred.values, s.target, s.enc.m, s.enc.v, s.pred.m, s.pred.v} {
		for _, x := range group {
			args = append(args, x)
		}
	}
	return args
}

// batchArgs are a batch's inputs: the clip, the position tables and the masks.
func (s *Stepper) batchArgs(batch Batch, encPos, predPos *tensors.Tensor) []any {
	args := []any{tensors.FromFlatDataAndDimensions(batch.Clip.F32, batch.Clip.Shape...), encPos, predPos}
	for i := 0; i < s.numMasks; i++ {
		args = append(args, tensors.FromFlatDataAndDimensions(batch.Context[i].I64, batch.Context[i].Shape...),
			tensors.FromFlatDataAndDimensions(batch.Target[i].I64, batch.Target[i].Shape...))
	}
	return args
}

// hparamArgs are the per-step scalars of the optimiser step s.step+1.
func (s *Stepper) hparamArgs(hp HParams) []any {
	t := float64(s.step + 1)
	return []any{scalar(hp.LR), scalar(hp.WeightDecay), scalar(hp.Momentum),
		scalar(1 - math.Pow(adamBeta1, t)), scalar(1 - math.Pow(adamBeta2, t)), scalar(hp.ClipGrad)}
}

// replaceState takes the new state from the front of out (the order of stateArgs), frees
// the old one, and returns the rest of out.
func (s *Stepper) replaceState(out []*tensors.Tensor) []*tensors.Tensor {
	ne, np := s.counts()
	take := func(n int) []*tensors.Tensor { r := out[:n]; out = out[n:]; return r }
	replace := func(dst []*tensors.Tensor, src []*tensors.Tensor) {
		for i := range dst {
			dst[i].FinalizeAll()
			dst[i] = src[i]
		}
	}
	replace(s.enc.values, take(ne))
	replace(s.pred.values, take(np))
	replace(s.target, take(ne))
	replace(s.enc.m, take(ne))
	replace(s.enc.v, take(ne))
	replace(s.pred.m, take(np))
	replace(s.pred.v, take(np))
	return out
}

// TargetFeatures runs the target encoder on clip and returns its output [B,N,D] (after the
// encoder's final norm), for collapse diagnostics.
func (s *Stepper) TargetFeatures(clip backbone.HostTensor) (backbone.HostTensor, error) {
	encPos, _, err := s.posTables(clip)
	if err != nil {
		return backbone.HostTensor{}, err
	}
	args := []any{}
	for _, x := range s.target {
		args = append(args, x)
	}
	args = append(args, tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...), encPos)
	out, err := s.features.Call(args...)
	if err != nil {
		return backbone.HostTensor{}, fmt.Errorf("target features: %w", err)
	}
	return backbone.HostTensor{Shape: out[0].Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](out[0])}, nil
}

// StepCount is the number of optimiser steps taken.
func (s *Stepper) StepCount() int64 { return s.step }
