package probe

import (
	"context"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/progress"
)

// Encoder is the frozen backbone: it turns a batch's clips into token features. It holds no
// trainable state, so probe training cannot change it.
type Encoder struct {
	cfg    backbone.Config
	runner *backbone.EncoderRunner
}

// NewEncoder prepares the frozen encoder with params on backend.
func NewEncoder(backend compute.Backend, c backbone.Config, params backbone.HostParams) (*Encoder, error) {
	r, err := backbone.NewEncoderRunner(backend, c, params, false)
	if err != nil {
		return nil, err
	}
	return &Encoder{cfg: c, runner: r}, nil
}

// Features encodes every clip of batch and returns one tensor per spatial view, with the
// tokens of all temporal segments concatenated along the token axis ([B, S·N, D]), as the
// official ClipAggregation with attend_across_segments.
func (e *Encoder) Features(b *datasets.Batch) ([]backbone.HostTensor, error) {
	var out []backbone.HostTensor
	for _, segs := range b.Clips {
		var parts []backbone.HostTensor
		for _, clip := range segs {
			tok, _, err := e.runner.Run(clip, nil)
			if err != nil {
				return nil, err
			}
			parts = append(parts, tok)
		}
		out = append(out, concatTokens(parts))
	}
	return out, nil
}

// concatTokens concatenates [B,Ni,D] tensors along the token axis.
func concatTokens(parts []backbone.HostTensor) backbone.HostTensor {
	if len(parts) == 1 {
		return parts[0]
	}
	b, d := parts[0].Shape[0], parts[0].Shape[2]
	n := 0
	for _, p := range parts {
		n += p.Shape[1]
	}
	out := backbone.HostTensor{Shape: []int{b, n, d}, F32: make([]float32, b*n*d)}
	for i := 0; i < b; i++ {
		off := i * n * d
		for _, p := range parts {
			row := p.F32[i*p.Shape[1]*d : (i+1)*p.Shape[1]*d]
			off += copy(out.F32[off:], row)
		}
	}
	return out
}

// FeatureSet holds frozen features of a whole split in memory: per sample and view a
// [tokens, D] block. It is what lets several probe heads and probe types share one pass of
// the backbone.
type FeatureSet struct {
	Tokens, Dim, Views int
	Labels             []int32
	Data               [][]float32 // [sample][view·tokens·dim]
	NumClasses         int
	ClassNames         []string
}

// Len is the number of samples.
func (f *FeatureSet) Len() int { return len(f.Labels) }

// Batch assembles samples idx of view v as [len(idx), tokens, dim] with their labels.
func (f *FeatureSet) Batch(idx []int, v int) (backbone.HostTensor, []int32) {
	per := f.Tokens * f.Dim
	x := backbone.HostTensor{Shape: []int{len(idx), f.Tokens, f.Dim}, F32: make([]float32, len(idx)*per)}
	labels := make([]int32, len(idx))
	for i, j := range idx {
		copy(x.F32[i*per:], f.Data[j][v*per:(v+1)*per])
		labels[i] = f.Labels[j]
	}
	return x, labels
}

// Extract runs enc over every sample of ds (in order) and keeps the features.
func Extract(ctx context.Context, enc *Encoder, ds datasets.Dataset, batchSize, workers int, seed uint64, out io.Writer, what string) (*FeatureSet, error) {
	loader, err := datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: batchSize, Workers: workers, Seed: seed,
		Policy: datasets.PolicyError})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	fs := &FeatureSet{NumClasses: ds.NumClasses(), ClassNames: classNames(ds)}
	bar := progress.New(out, what, int64(ds.Len()), progress.Options{Unit: "clips/s"})
	for batch, err := range loader.Epoch(ctx, datasets.State{}) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		views, err := enc.Features(batch)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		fs.add(views, batch.Labels)
		bar.Add(batch.Size())
	}
	bar.Done()
	return fs, nil
}

func (f *FeatureSet) add(views []backbone.HostTensor, labels []int32) {
	b, n, d := views[0].Shape[0], views[0].Shape[1], views[0].Shape[2]
	f.Tokens, f.Dim, f.Views = n, d, len(views)
	per := n * d
	for i := 0; i < b; i++ {
		row := make([]float32, 0, len(views)*per)
		for _, v := range views {
			row = append(row, v.F32[i*per:(i+1)*per]...)
		}
		f.Data = append(f.Data, row)
	}
	f.Labels = append(f.Labels, labels...)
}

// epochOrder returns a shuffled order of n samples for an epoch, fixed by (seed, epoch).
func epochOrder(n int, seed uint64, epoch int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch)+0x70726f6265)).Perm(n)
}

// batches splits order into batches of size b (the last one may be smaller).
func batches(order []int, b int) iter.Seq[[]int] {
	return func(yield func([]int) bool) {
		for i := 0; i < len(order); i += b {
			if !yield(order[i:min(i+b, len(order))]) {
				return
			}
		}
	}
}
