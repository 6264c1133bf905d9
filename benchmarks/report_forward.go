package benchmarks

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

// forwardPass is the forward half of a training step without gradients: the target encoder
// on the full clip, then per mask the context encoder and the predictor, and the L1 loss.
// The context encoder's weights stand in for the target encoder's (same cost).
type forwardPass struct {
	exec *Exec
	args []any
}

func newForwardPass(backend compute.Backend, c backbone.Config, st *pretrain.State, batch pretrain.Batch) (*forwardPass, error) {
	encSpecs, predSpecs := trainable(backbone.EncoderSpecs(c)), trainable(backbone.PredictorSpecs(c))
	ne, np, numMasks := len(encSpecs), len(predSpecs), len(batch.Context)
	exec, err := NewExec(backend, func(in []*Node) *Node {
		encW, predW := backbone.Weights{}, backbone.Weights{}
		for i, s := range encSpecs {
			encW[s.Name] = in[i]
		}
		for i, s := range predSpecs {
			predW[s.Name] = in[ne+i]
		}
		rest := in[ne+np:]
		clip, encPos, predPos, masks := rest[0], rest[1], rest[2], rest[3:]
		h, _ := backbone.Encode(c, encW, clip, encPos, nil, false)
		h = backbone.PlainLayerNorm(h, backbone.TargetNormEps)
		var loss *Node
		for i := range numMasks {
			ctx, tgt := masks[2*i], masks[2*i+1]
			z, _ := backbone.Encode(c, encW, clip, encPos, ctx, false)
			p, _ := backbone.Predict(c, predW, z, ctx, tgt, predPos, i, false)
			li := ReduceAllMean(Abs(Sub(p, backbone.GatherTokens(h, tgt))))
			if loss == nil {
				loss = li
			} else {
				loss = Add(loss, li)
			}
		}
		return loss
	})
	if err != nil {
		return nil, fmt.Errorf("forward pass: %w", err)
	}
	f := &forwardPass{exec: exec}
	for _, s := range encSpecs {
		f.args = append(f.args, tensors.FromFlatDataAndDimensions(st.Encoder[s.Name], s.Shape...))
	}
	for _, s := range predSpecs {
		f.args = append(f.args, tensors.FromFlatDataAndDimensions(st.Predictor[s.Name], s.Shape...))
	}
	shape := batch.Clip.Shape
	encPos, ew, err := backbone.EncoderPositions(c, st.Encoder["pos_embed"], shape[2], shape[3], shape[4])
	if err != nil {
		return nil, fmt.Errorf("forward pass: %w", err)
	}
	predPos, pw, err := backbone.PredictorPositions(c, st.Predictor["predictor_pos_embed"], shape[2], shape[3], shape[4])
	if err != nil {
		return nil, fmt.Errorf("forward pass: %w", err)
	}
	f.args = append(f.args, tensors.FromFlatDataAndDimensions(batch.Clip.F32, shape...),
		tensors.FromFlatDataAndDimensions(encPos, len(encPos)/ew, ew),
		tensors.FromFlatDataAndDimensions(predPos, len(predPos)/pw, pw))
	for i := range numMasks {
		f.args = append(f.args, tensors.FromFlatDataAndDimensions(batch.Context[i].I64, batch.Context[i].Shape...),
			tensors.FromFlatDataAndDimensions(batch.Target[i].I64, batch.Target[i].Shape...))
	}
	return f, nil
}

// run evaluates the forward pass once.
func (f *forwardPass) run() error {
	out, err := f.exec.Call(f.args...)
	if err != nil {
		return fmt.Errorf("forward pass: %w", err)
	}
	for _, t := range out {
		_ = t.FinalizeAll()
	}
	return nil
}

// trainable drops the frozen parameters (the sin-cos tables, passed as inputs of their own).
func trainable(specs []backbone.ParamSpec) []backbone.ParamSpec {
	var out []backbone.ParamSpec
	for _, s := range specs {
		if !s.Frozen {
			out = append(out, s)
		}
	}
	return out
}
