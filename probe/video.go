package probe

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// Defaults of [Classifier.VideoProtocol] for a model that comes without an evaluation
// config (a Hugging Face folder): vjepa2:configs/eval/vitl/ssv2.yaml, the evaluation of the
// released SSv2 classifier.
const (
	DefaultVideoSegments  = 2 // num_segments
	DefaultVideoViews     = 3 // num_views_per_segment
	DefaultVideoFrameStep = 4 // frame_step
)

// VideoProtocol is the official evaluation protocol for c's encoder: its clip length and
// resolution, frame step 4, 2 segments × 3 views.
func (c *Classifier) VideoProtocol() Protocol {
	return Protocol{FramesPerClip: c.Backbone.NumFrames, FrameStep: DefaultVideoFrameStep, NumSegments: DefaultVideoSegments,
		NumViews: DefaultVideoViews, Resolution: c.Backbone.CropSize, AttendAcrossSegments: true}
}

// Videos are video files decoded as the official frozen evaluation decodes them: for protocol
// p, p.NumSegments clips of p.FramesPerClip frames p.FrameStep apart spread over the video,
// each in p.NumViews spatial views (the shorter side resized to the resolution and views
// along the longer side; a single view is the centre crop of a 256/224 resize), normalised
// with the ImageNet statistics. docs/classify.md compares it with Hugging Face's processor.
type Videos struct {
	ds   *datasets.VideoList
	list string // the temporary list file behind ds
}

// OpenVideos prepares paths for decoding with protocol p; the files are opened by
// [Videos.Batch].
func OpenVideos(paths []string, p Protocol) (*Videos, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "vjepa-videos-*.csv")
	if err != nil {
		return nil, err
	}
	v := &Videos{list: f.Name()}
	for _, path := range paths {
		abs, err := filepath.Abs(path)
		if err != nil {
			f.Close()
			v.Close()
			return nil, err
		}
		fmt.Fprintf(f, "%s 0\n", abs)
	}
	if err := f.Close(); err != nil {
		v.Close()
		return nil, err
	}
	mv, err := transform.NewEvalVideo(p.Resolution, p.NumViews)
	if err == nil {
		v.ds, err = datasets.NewVideoList(datasets.VideoListOptions{Lists: []string{v.list}, MultiView: mv,
			Sampling: datasets.SamplingParams{FramesPerClip: p.FramesPerClip, FrameStep: p.FrameStep,
				NumClips: p.NumSegments, AllowClipOverlap: true}})
	}
	if err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// Len is the number of videos.
func (v *Videos) Len() int { return v.ds.Len() }

// Batch decodes video i as a batch of one: Clips[view][segment] is [1,3,T,H,W]. A video that
// cannot be read is an error naming its file.
func (v *Videos) Batch(ctx context.Context, i int) (*datasets.Batch, error) {
	// The evaluation sampling and transform draw nothing from rng.
	s, err := v.ds.Sample(ctx, i, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	b := &datasets.Batch{Clips: make([][]backbone.HostTensor, len(s.Views)), Labels: []int32{0}, Indices: []int{i},
		Sources: []string{s.Source}}
	for view, segs := range s.Views {
		for _, c := range segs {
			b.Clips[view] = append(b.Clips[view], backbone.HostTensor{Shape: []int{1, 3, c.T, c.H, c.W}, F32: c.Data})
		}
	}
	return b, nil
}

// Decoded is one video of [Videos.Decode]: its batch, or why it could not be read.
type Decoded struct {
	Index int
	Batch *datasets.Batch
	Err   error
}

// Decode yields the videos idx in order, decoding up to workers of them at a time ahead of
// the consumer, so that decoding overlaps the model. Stopping the iteration cancels the
// decodes still running.
func (v *Videos) Decode(ctx context.Context, idx []int, workers int) iter.Seq[Decoded] {
	return func(yield func(Decoded) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		results := make([]chan Decoded, len(idx))
		for k := range results {
			results[k] = make(chan Decoded, 1)
		}
		ahead := make(chan struct{}, max(workers, 1)) // a slot per video decoded and not yet consumed
		go func() {
			for k, i := range idx {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				go func() {
					b, err := v.Batch(ctx, i)
					results[k] <- Decoded{Index: i, Batch: b, Err: err}
				}()
			}
		}()
		for k, i := range idx {
			var d Decoded
			select {
			case d = <-results[k]:
			case <-ctx.Done():
				d = Decoded{Index: i, Err: ctx.Err()}
			}
			<-ahead
			if !yield(d) || d.Err != nil && ctx.Err() != nil {
				return
			}
		}
	}
}

// Close removes the temporary list file.
func (v *Videos) Close() error { return os.Remove(v.list) }
