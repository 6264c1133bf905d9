package datasets

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceFrames decodes the first n frames of path with a plain ffmpeg run (no seek, no
// frame selection, timestamps passed through, rotation ignored): the frames in presentation
// order that frame indices refer to.
func referenceFrames(t testing.TB, path string, n int) *Frames {
	t.Helper()
	probe, err := (&FFmpegDecoder{}).Open(context.Background(), path)
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
	return &Frames{T: n, H: info.Height, W: info.Width, Pix: out}
}

// frame returns the pixels of frame k of f.
func frame(f *Frames, k int) []uint8 {
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
	decoded := map[string][]*Frames{} // video -> frames at corpusIndices, per decoder
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
			var got [2]*Frames
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
