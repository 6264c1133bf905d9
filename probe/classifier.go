package probe

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// ClassifierRunner evaluates a [Classifier] on a backend: the encoder, then the probe on its
// tokens. Graphs are compiled once per input shape.
type ClassifierRunner struct {
	c       *Classifier
	encoder *Encoder
	head    *backbone.ParamTensors
	logits  *Exec
}

// NewClassifierRunner prepares c for backend.
func NewClassifierRunner(backend compute.Backend, c *Classifier) (*ClassifierRunner, error) {
	if err := c.Probe.Validate(); err != nil {
		return nil, err
	}
	enc, err := NewEncoder(backend, c.Backbone, c.Encoder)
	if err != nil {
		return nil, fmt.Errorf("classifier encoder: %w", err)
	}
	pt, err := backbone.NewParamTensors(c.Head, c.Probe.Specs())
	if err != nil {
		return nil, fmt.Errorf("classifier probe: %w", err)
	}
	r := &ClassifierRunner{c: c, encoder: enc, head: pt}
	r.logits, err = NewExec(backend, func(g *Graph, in []*Node) *Node {
		w, data := pt.Bind(g, in)
		return c.Probe.Logits(w, data[0])
	})
	if err != nil {
		return nil, fmt.Errorf("classifier probe graph: %w", err)
	}
	return r, nil
}

// TokenLogits applies the probe to encoder tokens x [B,N,D]: logits [B,C].
func (r *ClassifierRunner) TokenLogits(x backbone.HostTensor) (backbone.HostTensor, error) {
	out, err := r.logits.Call(r.head.Args(tensors.FromFlatDataAndDimensions(x.F32, x.Shape...))...)
	if err != nil {
		return backbone.HostTensor{}, fmt.Errorf("classifier probe: %w", err)
	}
	return backbone.HostTensor{Shape: out[0].Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](out[0])}, nil
}

// Logits classifies clips [B,3,T,H,W] (normalised, the official layout): logits [B,C].
func (r *ClassifierRunner) Logits(clips backbone.HostTensor) (backbone.HostTensor, error) {
	views, err := r.encoder.Features(&datasets.Batch{Clips: [][]backbone.HostTensor{{clips}}})
	if err != nil {
		return backbone.HostTensor{}, err
	}
	return r.TokenLogits(views[0])
}

// Probabilities classifies a batch of several spatial views of several temporal segments, as
// the official frozen evaluation does: the tokens of every segment of a view are
// concatenated, the probe classifies each view, and the softmax of the views is averaged.
// It returns one probability vector per sample. All clips go through the encoder in one call,
// and all views through the probe in another.
func (r *ClassifierRunner) Probabilities(b *datasets.Batch) ([][]float32, error) {
	clips, err := stackClips(b.Clips)
	if err != nil {
		return nil, err
	}
	tokens, _, err := r.encoder.runner.Run(clips, nil) // [V·S·B, N, D], view-major
	if err != nil {
		return nil, err
	}
	nv, ns, n := len(b.Clips), len(b.Clips[0]), b.Clips[0][0].Shape[0]
	logits, err := r.TokenLogits(segmentsAlongTokens(tokens, nv, ns, n)) // [V·B, C]
	if err != nil {
		return nil, err
	}
	c := logits.Shape[1]
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, c)
		for v := range nv {
			row := (v*n + i) * c
			for j, p := range SoftmaxOf(logits.F32[row : row+c]) {
				out[i][j] += p / float32(nv)
			}
		}
	}
	return out, nil
}

// stackClips stacks the [B,3,T,H,W] clips of every view and segment along the batch axis,
// view-major: [V·S·B,3,T,H,W].
func stackClips(clips [][]backbone.HostTensor) (backbone.HostTensor, error) {
	if len(clips) == 0 || len(clips[0]) == 0 {
		return backbone.HostTensor{}, fmt.Errorf("classify: a batch without clips")
	}
	ref := clips[0][0].Shape
	out := backbone.HostTensor{Shape: append([]int{0}, ref[1:]...)}
	for v, segs := range clips {
		if len(segs) != len(clips[0]) {
			return backbone.HostTensor{}, fmt.Errorf("classify: view %d has %d segments, view 0 %d", v, len(segs), len(clips[0]))
		}
		for s, c := range segs {
			if !slices.Equal(c.Shape, ref) {
				return backbone.HostTensor{}, fmt.Errorf("classify: clip of view %d, segment %d has shape %v, the first %v", v, s, c.Shape, ref)
			}
			out.F32 = append(out.F32, c.F32...)
			out.Shape[0] += c.Shape[0]
		}
	}
	return out, nil
}

// segmentsAlongTokens rearranges encoder tokens [V·S·B,N,D] (view, segment, sample order)
// into [V·B,S·N,D]: per view and sample, its segments' tokens one after the other.
func segmentsAlongTokens(x backbone.HostTensor, nv, ns, b int) backbone.HostTensor {
	n, d := x.Shape[1], x.Shape[2]
	per := n * d
	out := backbone.HostTensor{Shape: []int{nv * b, ns * n, d}, F32: make([]float32, 0, len(x.F32))}
	for v := range nv {
		for i := range b {
			for s := range ns {
				row := (v*ns+s)*b + i
				out.F32 = append(out.F32, x.F32[row*per:(row+1)*per]...)
			}
		}
	}
	return out
}

// SoftmaxOf returns the probabilities of logits, computed in float64.
func SoftmaxOf(logits []float32) []float32 {
	m := math.Inf(-1)
	for _, v := range logits {
		m = max(m, float64(v))
	}
	var sum float64
	e := make([]float64, len(logits))
	for i, v := range logits {
		e[i] = math.Exp(float64(v) - m)
		sum += e[i]
	}
	out := make([]float32, len(logits))
	for i := range e {
		out[i] = float32(e[i] / sum)
	}
	return out
}

// Prediction is one class with its probability.
type Prediction struct {
	Class       int     `json:"class"`
	Label       string  `json:"label"`
	Probability float32 `json:"probability"`
}

// TopClasses returns the k most probable classes of probs, most probable first (ties by class
// index), named by labels when it has a name for them.
func TopClasses(probs []float32, labels []string, k int) []Prediction {
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
	k = min(max(k, 0), len(idx))
	out := make([]Prediction, k)
	for i, c := range idx[:k] {
		out[i] = Prediction{Class: c, Label: fmt.Sprint(c), Probability: probs[c]}
		if c < len(labels) {
			out[i].Label = labels[c]
		}
	}
	return out
}
