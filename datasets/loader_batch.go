package datasets

import (
	"fmt"

	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/internal/host"
)

// Batch is a batch of samples assembled for the model.
type Batch struct {
	// Clips[v][s] is the batch of spatial view v, temporal segment s: a contiguous float32
	// tensor [B, 3, T, H, W].
	Clips [][]host.Tensor
	// Labels are the samples' labels.
	Labels []int32
	// Indices are the dataset indices of the samples actually used (replacements included)
	// and Sources their files.
	Indices []int
	Sources []string
	// Replaced counts the samples of this batch replaced after a failure (PolicySkip).
	Replaced int
	// Next is the loader position right after this batch: save it to resume there.
	Next State
}

// Size is the number of samples in the batch.
func (b *Batch) Size() int { return len(b.Labels) }

// assembleBatch stacks samples into a Batch; all samples must have the same number of views
// and segments, and clips of the same shape.
func assembleBatch(samples []*media.Sample, indices []int) (*Batch, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("empty batch")
	}
	first := samples[0]
	nv := len(first.Views)
	if nv == 0 || len(first.Views[0]) == 0 {
		return nil, fmt.Errorf("%s: sample has no clips", first.Source)
	}
	ns := len(first.Views[0])
	b := &Batch{Clips: make([][]host.Tensor, nv), Labels: make([]int32, len(samples)),
		Indices: indices, Sources: make([]string, len(samples))}
	for k, s := range samples {
		b.Labels[k] = int32(s.Label)
		b.Sources[k] = s.Source
	}
	for v := range nv {
		b.Clips[v] = make([]host.Tensor, ns)
		for seg := range ns {
			ref := first.Views[v][seg]
			size := 3 * ref.T * ref.H * ref.W
			t := host.Tensor{Shape: []int{len(samples), 3, ref.T, ref.H, ref.W}, F32: make([]float32, len(samples)*size)}
			for k, s := range samples {
				if len(s.Views) != nv || len(s.Views[v]) != ns {
					return nil, fmt.Errorf("%s: views x segments differ from the batch's %d x %d", s.Source, nv, ns)
				}
				c := s.Views[v][seg]
				if c.T != ref.T || c.H != ref.H || c.W != ref.W || len(c.Data) != size {
					return nil, fmt.Errorf("%s: clip %dx%dx%d (view %d, segment %d) differs from %dx%dx%d in the same batch",
						s.Source, c.T, c.H, c.W, v, seg, ref.T, ref.H, ref.W)
				}
				copy(t.F32[k*size:(k+1)*size], c.Data)
			}
			b.Clips[v][seg] = t
		}
	}
	return b, nil
}
