package datasets

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func writeFile(t testing.TB, path, content string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestReadVideoList(t *testing.T) {
	dir := t.TempDir()
	list := writeFile(t, filepath.Join(dir, "lists", "train.csv"),
		"a.mp4 3\n\nsub/b.mp4 0\r\n/abs/c.mp4 7  \nmy clip (1).mp4 2\r\nvidéo_日本.webm 1\na.mp4 4\n")
	entries, err := ReadVideoList(list)
	require.NoError(t, err)
	want := []VideoEntry{
		{Path: filepath.Join(dir, "lists", "a.mp4"), Label: 3, List: list, Line: 1},
		{Path: filepath.Join(dir, "lists", "sub", "b.mp4"), Label: 0, List: list, Line: 3},
		{Path: "/abs/c.mp4", Label: 7, List: list, Line: 4},
		{Path: filepath.Join(dir, "lists", "my clip (1).mp4"), Label: 2, List: list, Line: 5},
		{Path: filepath.Join(dir, "lists", "vidéo_日本.webm"), Label: 1, List: list, Line: 6},
		{Path: filepath.Join(dir, "lists", "a.mp4"), Label: 4, List: list, Line: 7},
	}
	assert.Equal(t, want, entries)
	// The duplicate is kept (the official loader keeps it) and reported.
	dups := Duplicates(entries)
	require.Len(t, dups, 1)
	assert.Equal(t, Duplicate{Entry: want[5], First: want[0]}, dups[0])
	assert.Equal(t, list+":7: "+want[0].Path+" duplicates "+list+":1 with another label (4, first 3)", dups[0].String())
}

func TestReadVideoListErrors(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"missing label", "a.mp4 1\nb.mp4\n", "x.csv:2: missing label: want `path label`"},
		{"two spaces", "a.mp4  1\n", `x.csv:1: path "a.mp4 " begins or ends with white space`},
		{"label then text", "a.mp4 1 x\n", `x.csv:1: label "x" is not an integer`},
		{"non-integer label", "a.mp4 1\nb.mp4 1.5\n", "x.csv:2: label \"1.5\" is not an integer"},
		{"empty path", " 1\n", "x.csv:1: empty path"},
		{"empty list", "\n\n", "x.csv: empty video list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := writeFile(t, filepath.Join(t.TempDir(), "x.csv"), tt.content)
			_, err := ReadVideoList(list)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := ReadVideoList(filepath.Join(t.TempDir(), "missing.csv"))
	assert.Error(t, err)
}

func TestReadVideoListsLabels(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.csv"), "a.mp4 0\nb.mp4 4\n")
	b := writeFile(t, filepath.Join(dir, "b.csv"), "c.mp4 2\n")
	entries, n, err := ReadVideoLists([]string{a, b}, 0)
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	assert.Len(t, entries, 3)
	assert.Equal(t, b, entries[2].List)

	_, _, err = ReadVideoLists([]string{a, b}, 4)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.csv:2: label 4 out of range (want a label in [0, 4))")

	neg := writeFile(t, filepath.Join(dir, "neg.csv"), "a.mp4 0\nb.mp4 -1\n")
	_, _, err = ReadVideoLists([]string{neg}, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "neg.csv:2: label -1 out of range")
}

// viewsTransform is a transform.MultiView giving n views: view v is the identity clip plus v.
type viewsTransform struct{ n int }

func (m viewsTransform) ApplyViews(f *media.Frames, rng *rand.Rand) ([]media.Clip, error) {
	out := make([]media.Clip, m.n)
	for v := range out {
		out[v] = media.FramesToClip(f)
		for k := range out[v].Data {
			out[v].Data[k] += float32(v)
		}
	}
	return out, nil
}

func TestVideoListSample(t *testing.T) {
	dir := t.TempDir()
	testutil.MakeTestVideo(t, dir, "long.mp4", "64x48", 30, 4, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	testutil.MakeTestVideo(t, dir, "short.mp4", "64x48", 30, 1, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	list := writeFile(t, filepath.Join(dir, "l.csv"), "long.mp4 1\nshort.mp4 0\nmissing.mp4 1\n")
	ctx := context.Background()

	d, err := NewVideoList(VideoListOptions{Lists: []string{list}, Sampling: ProbeSampling(3, false),
		MultiView: viewsTransform{2}})
	require.NoError(t, err)
	assert.Equal(t, 3, d.Len())
	assert.Equal(t, 2, d.NumClasses())
	s, err := d.Sample(ctx, 0, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	assert.Equal(t, 1, s.Label)
	require.Len(t, s.Views, 2)
	require.Len(t, s.Views[0], 3)
	c := s.Views[1][2]
	assert.Equal(t, [3]int{16, 48, 64}, [3]int{c.T, c.H, c.W})
	assert.Equal(t, s.Views[0][2].Data[0]+1, c.Data[0])

	// The clips hold the sampled frames: compare with a direct decode.
	v, err := (&decode.FFmpeg{}).Open(ctx, filepath.Join(dir, "long.mp4"))
	require.NoError(t, err)
	idx, err := ClipIndices(120, 30, ProbeSampling(3, false), nil)
	require.NoError(t, err)
	f, err := v.Frames(ctx, idx[2])
	require.NoError(t, err)
	assert.Equal(t, media.FramesToClip(f).Data, s.Views[0][2].Data)

	// A short video is padded, a missing one is a SampleError naming the file.
	s, err = d.Sample(ctx, 1, nil)
	require.NoError(t, err)
	assert.Len(t, s.Views[0], 3)
	_, err = d.Sample(ctx, 2, nil)
	require.Error(t, err)
	assert.True(t, IsSampleError(err))
	assert.Contains(t, err.Error(), "missing.mp4: ")
}

func TestVideoListFileSizeLimits(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tiny.mp4"), "not a video")
	list := writeFile(t, filepath.Join(dir, "l.csv"), "tiny.mp4 0\n")
	d, err := NewVideoList(VideoListOptions{Lists: []string{list}, Sampling: PretrainSampling()})
	require.NoError(t, err)
	_, err = d.Sample(context.Background(), 0, rand.New(rand.NewPCG(1, 1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "smaller than 1024 bytes")
}
