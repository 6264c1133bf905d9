package pretrain

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/optim"
	"github.com/vjepa-go/vjepa/internal/trainstate"
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

// Decayed reports whether a parameter is in a weight-decayed group ([optim.Decayed], the
// official rule).
func Decayed(spec backbone.ParamSpec) bool { return optim.Decayed(spec.Name, spec.Shape) }

// newGroup uploads the trainable parameters of specs with their moments.
func newGroup(specs []backbone.ParamSpec, params backbone.HostParams, moments map[string][2][]float32) (*trainstate.Group, error) {
	if err := params.CheckAgainst(specs); err != nil {
		return nil, err
	}
	return trainstate.NewGroup(trainable(specs), params, moments)
}

// trainable lists the parameters of specs the optimiser updates.
func trainable(specs []backbone.ParamSpec) []trainstate.Param {
	var out []trainstate.Param
	for _, s := range specs {
		if !s.Frozen {
			out = append(out, trainstate.Param{Name: s.Name, Shape: s.Shape})
		}
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
	enc      *trainstate.Group
	pred     *trainstate.Group
	target   []*tensors.Tensor // same order as enc.Params
	encPos   []float32         // construction-grid tables (frozen)
	predPos  []float32
	step     int64
	exec     *trainstate.Exec
	features *trainstate.Exec
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
	if s.enc, err = newGroup(backbone.EncoderSpecs(c), st.Encoder, split("encoder/")); err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	if s.pred, err = newGroup(backbone.PredictorSpecs(c), st.Predictor, split("predictor/")); err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	if err := st.Target.CheckAgainst(backbone.EncoderSpecs(c)); err != nil {
		return nil, fmt.Errorf("target encoder: %w", err)
	}
	for _, p := range s.enc.Params {
		s.target = append(s.target, tensors.FromFlatDataAndDimensions(append([]float32(nil), st.Target[p.Name]...), p.Shape...))
	}
	if s.exec, err = trainstate.NewExec(backend, s.buildStep); err != nil {
		return nil, err
	}
	s.exec.SetMaxCache(256)
	if s.features, err = trainstate.NewExec(backend, s.buildFeatures); err != nil {
		return nil, err
	}
	return s, nil
}

// State copies the device state to the host.
func (s *Stepper) State() *State {
	st := &State{Step: s.step, Encoder: s.enc.Host(), Predictor: s.pred.Host(), Target: backbone.HostParams{},
		Moments: map[string][2][]float32{}}
	for i, p := range s.enc.Params {
		st.Target[p.Name] = tensors.MustCopyFlatData[float32](s.target[i])
	}
	if !s.cfg.UseRoPE { // RoPE models have no tables
		st.Encoder["pos_embed"] = append([]float32(nil), s.encPos...)
		st.Predictor["predictor_pos_embed"] = append([]float32(nil), s.predPos...)
		st.Target["pos_embed"] = append([]float32(nil), s.encPos...)
	}
	for k, v := range s.enc.HostMoments() {
		st.Moments["encoder/"+k] = v
	}
	for k, v := range s.pred.HostMoments() {
		st.Moments["predictor/"+k] = v
	}
	return st
}

// Names of the step graphs' inputs and outputs (see [trainstate.Exec]); the encoder,
// predictor and optimiser scalars live under the prefixes "enc", "pred" and "opt".
const (
	inTarget    = "target"        // EMA target encoder, in s.enc.Params order
	inClip      = "clip"          // [B,C,T,H,W]
	inEncPos    = "enc_pos"       // encoder position table
	inPredPos   = "pred_pos"      // predictor position table
	inContext   = "context"       // per mask configuration: context token indices
	inTargetIdx = "target_tokens" // per mask configuration: target token indices
	inMomentum  = "momentum"      // EMA momentum
	outLoss     = "loss"
	outLossMask = "loss_per_mask"
	outNormEnc  = "grad_norm_enc"
	outNormPred = "grad_norm_pred"
	prefixEnc   = "enc"
	prefixPred  = "pred"
	prefixOpt   = "opt"
	prefixGrads = "grads" // accumulated gradients: "grads.enc", "grads.pred"
	inGradsEnc  = prefixGrads + "." + prefixEnc
	inGradsPred = prefixGrads + "." + prefixPred
	inInvMicro  = "inv_micro_batches"
)

func (s *Stepper) buildStep(in trainstate.Nodes) trainstate.Nodes {
	enc, pred := trainstate.ReadState(in, prefixEnc), trainstate.ReadState(in, prefixPred)
	loss, perMask := s.buildLoss(enc.Params, pred.Params, in)
	grads := Gradient(loss, append(append([]*Node{}, enc.Params...), pred.Params...)...)
	ne := len(enc.Params)
	out := s.buildUpdate(in, grads[:ne], grads[ne:])
	out[outLoss], out[outLossMask] = []*Node{loss}, perMask
	return out
}

// buildLoss builds the V-JEPA loss of one batch (mean over the mask configurations of the
// L1 distance between predictions and layer-normalised target features) and the loss of
// each mask configuration, from the weights enc and pred and the target encoder, batch and
// masks among in.
func (s *Stepper) buildLoss(enc, pred []*Node, in trainstate.Nodes) (*Node, []*Node) {
	c := s.cfg
	encW, predW, tgtW := backbone.Weights(s.enc.Weights(enc)), backbone.Weights(s.pred.Weights(pred)), backbone.Weights(s.enc.Weights(in[inTarget]))
	clip, encPos, predPos := in.One(inClip), in.One(inEncPos), in.One(inPredPos)

	// Targets: the EMA encoder on the full clip, layer-normalised without affine, no gradient.
	h, _ := backbone.Encode(c, tgtW, clip, encPos, nil, false)
	h = StopGradient(backbone.PlainLayerNorm(h, backbone.TargetNormEps))

	var loss *Node
	var perMask []*Node
	for i := 0; i < s.numMasks; i++ {
		ctx, tgtIdx := in[inContext][i], in[inTargetIdx][i]
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

// buildUpdate clips the gradients of the encoder and of the predictor separately, takes the
// AdamW step and updates the EMA target. It returns the new state and the gradient norms
// before clipping.
func (s *Stepper) buildUpdate(in trainstate.Nodes, gEnc, gPred []*Node) trainstate.Nodes {
	sc := trainstate.ReadScalars(in, prefixOpt)
	newEnc, normEnc := optim.Step(trainstate.ReadState(in, prefixEnc), gEnc, s.enc.Decayed, sc)
	newPred, normPred := optim.Step(trainstate.ReadState(in, prefixPred), gPred, s.pred.Decayed, sc)
	// EMA after the optimiser step: θ_t ← m·θ_t + (1−m)·θ.
	mom, tgt := in.One(inMomentum), in[inTarget]
	newTgt := make([]*Node, len(tgt))
	for i := range tgt {
		newTgt[i] = Add(Mul(mom, tgt[i]), Mul(OneMinus(mom), newEnc.Params[i]))
	}
	out := trainstate.Nodes{inTarget: newTgt, outNormEnc: {normEnc}, outNormPred: {normPred}}
	trainstate.WriteState(out, prefixEnc, newEnc)
	trainstate.WriteState(out, prefixPred, newPred)
	return out
}

func (s *Stepper) buildFeatures(in trainstate.Nodes) trainstate.Nodes {
	h, _ := backbone.Encode(s.cfg, s.enc.Weights(in[inTarget]), in.One(inClip), in.One(inEncPos), nil, false)
	return trainstate.Nodes{"features": {h}}
}

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
	in := s.stateInputs(hp)
	if err := s.putPositions(in, batch.Clip); err != nil {
		return StepStats{}, err
	}
	s.putBatch(in, batch)
	out, err := s.exec.Call(in)
	if err != nil {
		return StepStats{}, fmt.Errorf("train step %d: %w", s.step+1, err)
	}
	s.replaceState(out)
	s.step++
	return StepStats{Loss: out.Scalar(outLoss), LossPerMask: out.Scalars(outLossMask),
		GradNormEnc: out.Scalar(outNormEnc), GradNormPred: out.Scalar(outNormPred)}, nil
}

// stateInputs are the inputs of the optimiser step s.step+1: the state and the step's
// scalars.
func (s *Stepper) stateInputs(hp HParams) trainstate.Tensors {
	in := trainstate.Tensors{inTarget: s.target}
	s.enc.Put(in, prefixEnc)
	s.pred.Put(in, prefixPred)
	trainstate.PutScalars(in, prefixOpt, optim.StepScalars(s.step+1, hp.LR, hp.WeightDecay, hp.ClipGrad))
	in.PutScalar(inMomentum, hp.Momentum)
	return in
}

// putPositions adds the position tables of clips of clip's shape.
func (s *Stepper) putPositions(in trainstate.Tensors, clip backbone.HostTensor) error {
	encPos, predPos, err := s.posTables(clip)
	if err != nil {
		return err
	}
	in[inEncPos], in[inPredPos] = []*tensors.Tensor{encPos}, []*tensors.Tensor{predPos}
	return nil
}

// putBatch adds (or replaces) a batch's inputs: the clip and the masks.
func (s *Stepper) putBatch(in trainstate.Tensors, batch Batch) {
	in[inClip] = []*tensors.Tensor{tensors.FromFlatDataAndDimensions(batch.Clip.F32, batch.Clip.Shape...)}
	in[inContext], in[inTargetIdx] = nil, nil
	for i := 0; i < s.numMasks; i++ {
		in[inContext] = append(in[inContext], tensors.FromFlatDataAndDimensions(batch.Context[i].I64, batch.Context[i].Shape...))
		in[inTargetIdx] = append(in[inTargetIdx], tensors.FromFlatDataAndDimensions(batch.Target[i].I64, batch.Target[i].Shape...))
	}
}

// replaceState takes the new state from out and frees the old one.
func (s *Stepper) replaceState(out trainstate.Tensors) {
	s.enc.Replace(out, prefixEnc)
	s.pred.Replace(out, prefixPred)
	for i, x := range s.target {
		x.FinalizeAll()
		s.target[i] = out[inTarget][i]
	}
}

// TargetFeatures runs the target encoder on clip and returns its output [B,N,D] (after the
// encoder's final norm), for collapse diagnostics.
func (s *Stepper) TargetFeatures(clip backbone.HostTensor) (backbone.HostTensor, error) {
	encPos, _, err := s.posTables(clip)
	if err != nil {
		return backbone.HostTensor{}, err
	}
	out, err := s.features.Call(trainstate.Tensors{inTarget: s.target,
		inClip: {tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...)}, inEncPos: {encPos}})
	if err != nil {
		return backbone.HostTensor{}, fmt.Errorf("target features: %w", err)
	}
	h := out.One("features")
	return backbone.HostTensor{Shape: h.Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](h)}, nil
}

// StepCount is the number of optimiser steps taken.
func (s *Stepper) StepCount() int64 { return s.step }
