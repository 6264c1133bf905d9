package datasets

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// referenceFrames decodes the first n frames of path with a plain ffmpeg run (no seek, no
// frame selection, timestamps passed through, rotation ignored): the frames in presentation
// order that frame indices refer to.
func referenceFrames(t testing.TB, path string, n int) *media.Frames {
	t.Helper()
	probe, err := (&decode.FFmpeg{}).Open(context.Background(), path)
	require.NoError(t, err)
	info := probe.Info()
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-noautorotate", "-i", path, "-map", "0:v:0",
		"-fps_mode", "passthrough", "-frames:v", strconv.Itoa(n), "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	size := info.Width * info.Height * 3
	require.Equal(t, n*size, len(out), "reference decode of %s", path)
	return &media.Frames{T: n, H: info.Height, W: info.Width, Pix: out}
}

// frame returns the pixels of frame k of f.
func frame(f *media.Frames, k int) []uint8 {
	size := f.H * f.W * 3
	return f.Pix[k*size : (k+1)*size]
}

// meanAbsDiff is the mean absolute difference of two equal-sized pixel slices.
func meanAbsDiff(a, b []uint8) float64 {
	s := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		s += d
	}
	return float64(s) / float64(len(a))
}

// corpusIndices are the frame indices checked on a video of n frames: both ends, the
// middle, repeats and a pretraining-like strided clip, in scrambled order.
func corpusIndices(n int) []int {
	idx := []int{n - 1, 0, n / 2, 1, n / 3, n / 3, n - 2}
	for k := range 8 {
		idx = append(idx, min(n-1, n/4+4*k))
	}
	return idx
}

// Every valid video of the corpus opens with the stream's own frame count, frame rate and
// (unrotated) size in both decoders, which return the same frames in presentation order:
// equal to a plain full decode, and equal across stream copies into other containers.
func TestCorpusVideos(t *testing.T) {
	dir := corpusDir(t)
	ctx := context.Background()
	const refFrames = 40
	decoded := map[string][]*media.Frames{} // video -> frames at corpusIndices, per decoder
	for _, cv := range corpusVideos() {
		path := filepath.Join(dir, cv.Name)
		ref := referenceFrames(t, path, min(refFrames, cv.Frames))
		for _, dec := range testDecoders() {
			t.Run(cv.Name+"/"+dec.Name(), func(t *testing.T) {
				v, err := dec.Open(ctx, path)
				require.NoError(t, err)
				defer v.Close()
				info := v.Info()
				assert.Equal(t, cv.Frames, info.NumFrames, "frames")
				assert.InDelta(t, cv.FPS, info.FPS, 1e-6, "fps")
				assert.Equal(t, [2]int{cv.Width, cv.Height}, [2]int{info.Width, info.Height}, "size")
				idx := corpusIndices(cv.Frames)
				f, err := v.Frames(ctx, idx)
				require.NoError(t, err)
				require.Equal(t, len(idx), f.T)
				for k, i := range idx {
					if i < ref.T {
						require.Equal(t, frame(ref, i), frame(f, k), "frame %d differs from the reference decode", i)
					}
				}
				decoded[cv.Name] = append(decoded[cv.Name], f)
			})
		}
	}
	for name, fs := range decoded {
		for d := 1; d < len(fs); d++ {
			assert.Equal(t, fs[0].Pix, fs[d].Pix, "%s: the decoders disagree", name)
		}
	}
	for _, cv := range corpusVideos() {
		if cv.Same != "" && len(decoded[cv.Name]) > 0 && len(decoded[cv.Same]) > 0 {
			assert.Equal(t, decoded[cv.Same][0].Pix, decoded[cv.Name][0].Pix,
				"%s holds the pictures of %s: rotation metadata must be ignored", cv.Name, cv.Same)
		}
	}
}

// The variable-frame-rate transcode of tree.avi has the same 68 coded pictures in the same
// order: frame i of the VFR MP4 is frame i of the AVI, whatever its timestamp.
func TestCorpusVariableFrameRateOrder(t *testing.T) {
	dir := corpusDir(t)
	ctx := context.Background()
	idx := []int{0, 5, 17, 33, 34, 50, 66, 67}
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			var got [2]*media.Frames
			for k, name := range []string{"tree.avi", "k400-vfr.mp4"} {
				v, err := dec.Open(ctx, filepath.Join(dir, name))
				require.NoError(t, err)
				got[k], err = v.Frames(ctx, idx)
				require.NoError(t, err)
				require.NoError(t, v.Close())
			}
			for k, i := range idx {
				same := meanAbsDiff(frame(got[0], k), frame(got[1], k))
				assert.Less(t, same, 2.0, "frame %d", i)
				if k > 0 {
					other := meanAbsDiff(frame(got[0], k-1), frame(got[1], k))
					assert.Greater(t, other, same, "frame %d of the VFR file is closer to another AVI frame", i)
				}
			}
		})
	}
}

// Resizing on the way out of the decoder gives the same frames in both decoders, at the
// requested short side, with the content of the full-size frames.
func TestCorpusShortSide(t *testing.T) {
	dir := corpusDir(t)
	ctx := context.Background()
	tests := []struct {
		name          string
		short         int
		width, height int
	}{
		{"vtest.avi", 144, 192, 144},
		{"megamind.avi", 200, 273, 200},
		{"k400-odd.mp4", 255, 341, 255}, // already at the short side: unchanged
	}
	for _, tt := range tests {
		var got []*media.Frames
		for _, dec := range testDecoders() {
			t.Run(tt.name+"/"+dec.Name(), func(t *testing.T) {
				full, err := dec.Open(ctx, filepath.Join(dir, tt.name))
				require.NoError(t, err)
				defer full.Close()
				v, err := decode.WithShortSide(dec, tt.short).Open(ctx, filepath.Join(dir, tt.name))
				require.NoError(t, err)
				defer v.Close()
				info := v.Info()
				assert.Equal(t, [2]int{tt.width, tt.height}, [2]int{info.Width, info.Height})
				assert.Equal(t, full.Info().NumFrames, info.NumFrames)
				idx := []int{3, 0, 15}
				f, err := v.Frames(ctx, idx)
				require.NoError(t, err)
				require.Equal(t, [3]int{3, tt.height, tt.width}, [3]int{f.T, f.H, f.W})
				ff, err := full.Frames(ctx, idx)
				require.NoError(t, err)
				for k := range idx {
					assert.InDelta(t, meanPixel(frame(ff, k)), meanPixel(frame(f, k)), 1.5, "frame %d", idx[k])
				}
				got = append(got, f)
			})
		}
		for d := 1; d < len(got); d++ {
			assert.Equal(t, got[0].Pix, got[d].Pix, "%s: the decoders resize differently", tt.name)
		}
	}
}

func meanPixel(p []uint8) float64 {
	s := 0
	for _, v := range p {
		s += int(v)
	}
	return float64(s) / float64(len(p))
}

// The whole loader runs on the corpus: pretraining clips and multi-clip probe samples from
// every valid video, batched, with and without resizing in the decoder.
func TestLoaderOnCorpus(t *testing.T) {
	dir := corpusDir(t)
	var list strings.Builder
	for k, cv := range corpusVideos() {
		fmt.Fprintf(&list, "%s %d\n", filepath.Join(dir, cv.Name), k)
	}
	listPath := writeFile(t, filepath.Join(t.TempDir(), "corpus.csv"), list.String())
	tc := transform.DefaultPretrainConfig()
	tc.CropSize = 64
	pretrain, err := transform.NewPretrain(tc)
	require.NoError(t, err)
	eval, err := transform.NewEvalVideo(64, 1)
	require.NoError(t, err)
	tests := []struct {
		name      string
		sampling  SamplingParams
		transform transform.Video
		multi     transform.MultiView
		short     int
		segments  int
	}{
		{"pretrain", PretrainSampling(), pretrain, nil, 0, 1},
		{"pretrain, decoder resize", PretrainSampling(), pretrain, nil, 72, 1},
		{"probe, 2 segments", ProbeSampling(2, true), nil, eval, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := NewVideoList(VideoListOptions{Lists: []string{listPath}, Sampling: tt.sampling,
				Transform: tt.transform, MultiView: tt.multi, ShortSide: tt.short})
			require.NoError(t, err)
			l, err := NewLoader(ds, LoaderOptions{BatchSize: 4, Workers: 2, Seed: 3, Shuffle: true})
			require.NoError(t, err)
			n := 0
			for b, err := range l.Epoch(context.Background(), State{}) {
				require.NoError(t, err)
				require.Len(t, b.Clips[0], tt.segments)
				assert.Equal(t, []int{b.Size(), 3, 16, 64, 64}, b.Clips[0][0].Shape)
				n += b.Size()
			}
			assert.Equal(t, len(corpusVideos()), n)
			assert.Zero(t, l.Skipped())
		})
	}
}
