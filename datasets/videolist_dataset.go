package datasets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// Official limits on video file sizes (VideoDataset.loadvideo_decord).
const (
	defaultMinVideoBytes = 1024
	defaultMaxVideoBytes = 1_000_000_000
)

// VideoListOptions configures a VideoList data set.
type VideoListOptions struct {
	// Lists are the list files, concatenated in order.
	Lists []string
	// NumClasses bounds the labels to [0, NumClasses); 0 infers it as the largest label + 1.
	NumClasses int
	// Sampling selects the frames of each clip (see ClipIndices).
	Sampling SamplingParams
	// Transform turns each clip into one view. MultiView, when set, is used instead and
	// gives several spatial views per clip. With neither, clips are converted to float
	// unchanged (media.FramesToClip).
	Transform transform.Video
	MultiView transform.MultiView
	// Decoder decodes the videos; nil means decode.Default().
	Decoder decode.Decoder
	// ShortSide, when > 0, has the decoder resize every frame to that shorter side as it
	// converts it to RGB (decode.WithShortSide), before the transform. The official loader decodes
	// at the coded size; set it to save work on high-resolution sources (e.g. 256 for 224
	// crops).
	ShortSide int
	// MinFileBytes and MaxFileBytes reject smaller or larger files as the official code
	// does (defaults 1 KiB and 1e9 bytes; a negative value disables the check).
	MinFileBytes, MaxFileBytes int64
	// DecodeTimeout bounds opening a video and decoding its frames, each: a decoder that
	// stalls longer fails the sample with *decode.ErrStalled (default decode.DefaultTimeout).
	DecodeTimeout time.Duration
}

// VideoList is the official VideoDataset: videos listed in list files, each sample made of
// NumClips clips of FramesPerClip frames.
type VideoList struct {
	opts       VideoListOptions
	entries    []VideoEntry
	numClasses int
	// verifyAll makes loadClips also decode every frame of the video (data check --full).
	verifyAll bool
}

// NewVideoList reads the list files of opts. A malformed line or an out-of-range label is
// an error naming the file and line; the videos themselves are only opened by Sample.
func NewVideoList(opts VideoListOptions) (*VideoList, error) {
	if err := opts.Sampling.Validate(); err != nil {
		return nil, err
	}
	entries, n, err := ReadVideoLists(opts.Lists, opts.NumClasses)
	if err != nil {
		return nil, err
	}
	if opts.Decoder == nil {
		opts.Decoder = decode.Default()
	}
	if opts.ShortSide < 0 {
		return nil, fmt.Errorf("video list: negative short side %d", opts.ShortSide)
	}
	if opts.ShortSide > 0 {
		opts.Decoder = decode.WithShortSide(opts.Decoder, opts.ShortSide)
	}
	if opts.MinFileBytes == 0 {
		opts.MinFileBytes = defaultMinVideoBytes
	}
	if opts.MaxFileBytes == 0 {
		opts.MaxFileBytes = defaultMaxVideoBytes
	}
	if opts.DecodeTimeout < 0 {
		return nil, fmt.Errorf("video list: negative decode timeout %s", opts.DecodeTimeout)
	}
	if opts.DecodeTimeout == 0 {
		opts.DecodeTimeout = decode.DefaultTimeout
	}
	return &VideoList{opts: opts, entries: entries, numClasses: n}, nil
}

// Len implements Dataset.
func (d *VideoList) Len() int { return len(d.entries) }

// NumClasses implements Dataset.
func (d *VideoList) NumClasses() int { return d.numClasses }

// Entries returns the list entries (not to be modified).
func (d *VideoList) Entries() []VideoEntry { return d.entries }

// Source returns the path of sample i.
func (d *VideoList) Source(i int) string { return d.entries[i].Path }

// Sample implements Dataset: it samples the clip indices of video i, decodes those frames
// and transforms each clip. Failures are *SampleError.
func (d *VideoList) Sample(ctx context.Context, i int, rng *rand.Rand) (*media.Sample, error) {
	clips, err := d.loadClips(ctx, i, rng)
	if err != nil {
		return nil, err
	}
	views, err := transformClips(clips, d.opts.Transform, d.opts.MultiView, rng)
	if err != nil {
		return nil, &SampleError{Index: i, Source: d.entries[i].Path, Err: err}
	}
	return &media.Sample{Views: views, Label: d.entries[i].Label, Source: d.entries[i].Path}, nil
}

// loadClips decodes the clips of sample i, before any transform.
func (d *VideoList) loadClips(ctx context.Context, i int, rng *rand.Rand) ([]*media.Frames, error) {
	if i < 0 || i >= len(d.entries) {
		return nil, fmt.Errorf("sample index %d out of range [0, %d)", i, len(d.entries))
	}
	path := d.entries[i].Path
	fail := func(err error) error { return &SampleError{Index: i, Source: path, Err: err} }
	st, err := os.Stat(path)
	if err != nil {
		return nil, fail(err)
	}
	if st.IsDir() {
		return nil, fail(fmt.Errorf("is a directory"))
	}
	if d.opts.MinFileBytes > 0 && st.Size() < d.opts.MinFileBytes {
		return nil, fail(fmt.Errorf("file of %d bytes is smaller than %d bytes", st.Size(), d.opts.MinFileBytes))
	}
	if d.opts.MaxFileBytes > 0 && st.Size() > d.opts.MaxFileBytes {
		return nil, fail(fmt.Errorf("file of %d bytes is larger than %d bytes", st.Size(), d.opts.MaxFileBytes))
	}
	closeVideo := func(v decode.Video) { _ = v.Close() }
	v, err := decode.WithTimeout(ctx, d.opts.DecodeTimeout, "open", func(ctx context.Context) (decode.Video, error) {
		return d.opts.Decoder.Open(ctx, path)
	}, closeVideo)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail(err)
	}
	info := v.Info()
	idx, err := ClipIndices(info.NumFrames, info.FPS, d.opts.Sampling, rng)
	if err != nil {
		closeVideo(v)
		return nil, fail(err)
	}
	var all []int
	for _, c := range idx {
		all = append(all, c...)
	}
	// Each decoding step runs in its own goroutine, bounded by the timeout. The video is
	// closed by the last step, by a step that fails, or, if a step stalled and was left
	// behind, when that step ends.
	step := func(idx []int, last bool) (*media.Frames, error) {
		return decode.WithTimeout(ctx, d.opts.DecodeTimeout, "decode", func(ctx context.Context) (*media.Frames, error) {
			f, err := v.Frames(ctx, idx)
			if err != nil || last {
				closeVideo(v)
			}
			return f, err
		}, func(*media.Frames) {
			if !last {
				closeVideo(v)
			}
		})
	}
	frames, err := step(all, !d.verifyAll)
	if err == nil && d.verifyAll {
		err = verifyFrames(info, step)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail(err)
	}
	return splitClips(frames, len(idx)), nil
}

// verifyChunkBytes bounds the RGB frames decoded per step when every frame is verified.
const verifyChunkBytes = 256 << 20

// verifyFrames decodes all frames of a video in chunks of at most 128 frames and
// verifyChunkBytes with step, the last chunk last.
func verifyFrames(info decode.VideoInfo, step func(idx []int, last bool) (*media.Frames, error)) error {
	n := info.NumFrames
	chunk := max(1, min(128, verifyChunkBytes/max(1, info.Width*info.Height*3)))
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		idx := make([]int, hi-lo)
		for k := range idx {
			idx[k] = lo + k
		}
		if _, err := step(idx, hi == n); err != nil {
			return fmt.Errorf("frames %d to %d of %d: %w", lo, hi-1, n, err)
		}
	}
	return nil
}

// splitClips splits frames into n clips of equal length, sharing its pixels.
func splitClips(f *media.Frames, n int) []*media.Frames {
	per := f.T / n
	size := per * f.H * f.W * 3
	clips := make([]*media.Frames, n)
	for c := range clips {
		clips[c] = &media.Frames{T: per, H: f.H, W: f.W, Pix: f.Pix[c*size : (c+1)*size : (c+1)*size]}
	}
	return clips
}

// transformClips applies the transform to each clip and arranges the results as
// [view][clip].
func transformClips(clips []*media.Frames, tr transform.Video, mv transform.MultiView, rng *rand.Rand) ([][]media.Clip, error) {
	switch {
	case mv != nil:
		var views [][]media.Clip
		for c, f := range clips {
			vs, err := mv.ApplyViews(f, rng)
			if err != nil {
				return nil, fmt.Errorf("transform: %w", err)
			}
			if c == 0 {
				views = make([][]media.Clip, len(vs))
			} else if len(vs) != len(views) {
				return nil, fmt.Errorf("transform: %d views for clip %d, %d for clip 0", len(vs), c, len(views))
			}
			for v := range vs {
				views[v] = append(views[v], vs[v])
			}
		}
		return views, nil
	case tr != nil:
		view := make([]media.Clip, len(clips))
		for c, f := range clips {
			cl, err := tr.Apply(f, rng)
			if err != nil {
				return nil, fmt.Errorf("transform: %w", err)
			}
			view[c] = cl
		}
		return [][]media.Clip{view}, nil
	default:
		view := make([]media.Clip, len(clips))
		for c, f := range clips {
			view[c] = media.FramesToClip(f)
		}
		return [][]media.Clip{view}, nil
	}
}
