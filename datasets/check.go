package datasets

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/internal/progress"
)

// CheckOptions configures Check.
type CheckOptions struct {
	// Split restricts an ImageFolder check to one split; empty checks train and val.
	Split string
	// NumClasses bounds the labels of video lists (0: inferred).
	NumClasses int
	// Sampling is the clip sampling to check video lists with; the zero value means
	// PretrainSampling().
	Sampling SamplingParams
	// Decoder decodes videos; nil means decode.Default().
	Decoder decode.Decoder
	// Workers is the number of samples decoded in parallel (default 2).
	Workers int
	// Seed seeds the random clip windows (as a loader of that seed would draw in epoch 0).
	Seed uint64
	// Progress, when not nil, receives a progress bar.
	Progress io.Writer
	// DecodeTimeout bounds opening and decoding each video (0: decode.DefaultTimeout); with
	// Full, each chunk of frames.
	DecodeTimeout time.Duration
	// Full also decodes every frame of each video, not only the clips training would sample,
	// so that damage anywhere in a file is found (slower).
	Full bool
}

// clipLoader is a data set that can decode the clips of a sample without transforming them.
type clipLoader interface {
	Len() int
	Source(i int) string
	loadClips(ctx context.Context, i int, rng *rand.Rand) ([]*media.Frames, error)
}

// Check decodes every sample of the list file(s) or ImageFolder at path with the sampling
// it would get in training. It writes one line `list:line: path duplicates list:line` per
// repeated list entry (kept, as the official loader keeps them), one line `path: reason` per
// failed sample (in sample order) and ends with `checked N samples: K ok, F failed` (plus
// `, D duplicate entries` when there are some). err is set for
// failures of the check itself (an unreadable or malformed list, a cancelled ctx), not
// for failed samples.
func Check(ctx context.Context, path string, opts CheckOptions, w io.Writer) (ok, failed int, err error) {
	kind, err := DetectKind(path)
	if err != nil {
		return 0, 0, err
	}
	var sets []clipLoader
	var dups []Duplicate
	if kind == KindImageFolder {
		splits := []string{"train", "val"}
		if opts.Split != "" {
			splits = []string{opts.Split}
		}
		for _, s := range splits {
			d, err := NewImageFolder(ImageFolderOptions{Root: path, Split: s})
			if err != nil {
				return 0, 0, err
			}
			sets = append(sets, d)
		}
	} else {
		sampling := opts.Sampling
		if sampling == (SamplingParams{}) {
			sampling = PretrainSampling()
		}
		d, err := NewVideoList(VideoListOptions{Lists: splitLists(path), NumClasses: opts.NumClasses,
			Sampling: sampling, Decoder: opts.Decoder, DecodeTimeout: opts.DecodeTimeout})
		if err != nil {
			return 0, 0, err
		}
		d.verifyAll = opts.Full
		sets = append(sets, d)
		dups = Duplicates(d.Entries())
		for _, dup := range dups {
			if _, err := fmt.Fprintln(w, dup); err != nil {
				return 0, 0, err
			}
		}
	}
	total := 0
	for _, s := range sets {
		total += s.Len()
	}
	bar := progress.New(opts.Progress, "checking", int64(total), progress.Options{Unit: "samples/s"})
	workers := opts.Workers
	if workers <= 0 {
		workers = 2
	}
	for _, s := range sets {
		k, f, err := checkSet(ctx, s, opts.Seed, workers, w, bar)
		ok += k
		failed += f
		if err != nil {
			return ok, failed, err
		}
	}
	bar.Done()
	summary := fmt.Sprintf("checked %d samples: %d ok, %d failed", ok+failed, ok, failed)
	if len(dups) > 0 {
		summary += fmt.Sprintf(", %d duplicate entries", len(dups))
	}
	if _, err := fmt.Fprintln(w, summary); err != nil {
		return ok, failed, err
	}
	return ok, failed, nil
}

// checkSet checks the samples of one data set in chunks, reporting the failures of each
// chunk in sample order.
func checkSet(ctx context.Context, d clipLoader, seed uint64, workers int, w io.Writer,
	bar *progress.Bar) (ok, failed int, err error) {
	chunk := workers * 8
	errs := make([]error, chunk)
	for lo := 0; lo < d.Len(); lo += chunk {
		hi := min(lo+chunk, d.Len())
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					_, errs[i-lo] = d.loadClips(ctx, i, SampleRNG(seed, 0, i, 0))
				}
			}()
		}
		for i := lo; i < hi; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return ok, failed, err
		}
		for i := lo; i < hi; i++ {
			e := errs[i-lo]
			switch {
			case e == nil:
				ok++
			case IsSampleError(e):
				failed++
				if _, err := fmt.Fprintln(w, e); err != nil {
					return ok, failed, err
				}
			default:
				return ok, failed, fmt.Errorf("%s: %w", d.Source(i), e)
			}
		}
		if bar != nil {
			bar.Add(hi - lo)
		}
	}
	return ok, failed, nil
}
