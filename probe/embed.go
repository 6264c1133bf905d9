package probe

import (
	"context"
	"fmt"
	"io"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/progress"
)

// Pooler turns token features [B,N,D] into one vector per sample: the mean token, or the
// output of a trained attentive pooler (the probe's representation before its classifier).
type Pooler struct {
	model  Model
	params *backbone.ParamTensors
	exec   *Exec
}

// NewMeanPooler averages the tokens.
func NewMeanPooler(backend compute.Backend, dim int) (*Pooler, error) {
	return NewPooler(backend, Model{Kind: AvgPoolLinear, EmbedDim: dim, NumClasses: 2}, nil)
}

// NewPooler pools with the pooler of a trained probe (params of model m); for AvgPoolLinear
// params may be nil.
func NewPooler(backend compute.Backend, m Model, params backbone.HostParams) (*Pooler, error) {
	p := &Pooler{model: m, params: &backbone.ParamTensors{}}
	if m.Kind.traits().pooler {
		pt, err := backbone.NewParamTensors(params, m.Specs())
		if err != nil {
			return nil, err
		}
		p.params = pt
	}
	var err error
	p.exec, err = NewExec(backend, func(g *Graph, in []*Node) *Node {
		w, data := p.params.Bind(g, in)
		return m.Pool(w, data[0])
	})
	return p, err
}

// Pool returns one D-vector per sample of x [B,N,D].
func (p *Pooler) Pool(x backbone.HostTensor) ([][]float32, error) {
	out, err := p.exec.Call(p.params.Args(tensors.FromFlatDataAndDimensions(x.F32, x.Shape...))...)
	if err != nil {
		return nil, fmt.Errorf("pool: %w", err)
	}
	flat := tensors.MustCopyFlatData[float32](out[0])
	b, d := x.Shape[0], x.Shape[2]
	rows := make([][]float32, b)
	for i := range rows {
		rows[i] = flat[i*d : (i+1)*d]
	}
	return rows, nil
}

// Embedding is one sample's vector with where it came from.
type Embedding struct {
	Source string
	Label  int32
	Vector []float32
}

// Embed encodes every sample of ds (its first spatial view, all segments) and pools it to
// one vector.
func Embed(ctx context.Context, enc *Encoder, pool *Pooler, ds datasets.Dataset, batchSize, workers int, logw io.Writer) ([]Embedding, error) {
	loader, err := datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: batchSize, Workers: workers, Policy: datasets.PolicyError})
	if err != nil {
		return nil, err
	}
	var out []Embedding
	bar := progress.New(logw, "embed", int64(ds.Len()), progress.Options{Unit: "clips/s"})
	for batch, err := range loader.Epoch(ctx, datasets.State{}) {
		if err != nil {
			return nil, err
		}
		views, err := enc.Features(batch)
		if err != nil {
			return nil, err
		}
		vecs, err := pool.Pool(views[0])
		if err != nil {
			return nil, err
		}
		for i, v := range vecs {
			src := ""
			if i < len(batch.Sources) {
				src = batch.Sources[i]
			}
			out = append(out, Embedding{Source: src, Label: batch.Labels[i], Vector: v})
		}
		bar.Add(batch.Size())
	}
	bar.Done()
	return out, nil
}
