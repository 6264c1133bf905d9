package datasets

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestCheckVideoList(t *testing.T) {
	dir := t.TempDir()
	good := testutil.MakeTestVideo(t, dir, "good.mp4", "64x48", 30, 2.5, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	// A file whose frame data is cut but whose index survives: mp4 with the index first.
	fast := testutil.MakeTestVideo(t, dir, "fast.mp4", "64x48", 30, 2.5, "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-movflags", "+faststart")
	fdata, err := os.ReadFile(fast)
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, "cut.mp4"), string(fdata[:len(fdata)*2/3]))
	writeFile(t, filepath.Join(dir, "half.mp4"), string(data[:len(data)/2]))
	writeFile(t, filepath.Join(dir, "junk.mp4"), strings.Repeat("junk", 1000))
	testutil.MakeTestVideo(t, dir, "one.mp4", "64x48", 30, 0.04, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	list := writeFile(t, filepath.Join(dir, "train.csv"),
		"good.mp4 0\nmissing.mp4 1\nhalf.mp4 0\njunk.mp4 1\ngood.mp4 1\ncut.mp4 0\n")

	var out bytes.Buffer
	ok, failed, err := Check(context.Background(), list, CheckOptions{Workers: 3}, &out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	t.Log(out.String())
	require.Equal(t, 2, ok)
	require.Equal(t, 4, failed)
	require.Len(t, lines, 6)
	require.Equal(t, list+":5: "+good+" duplicates "+list+":1 with another label (1, first 0)", lines[0])
	for k, name := range []string{"missing.mp4", "half.mp4", "junk.mp4", "cut.mp4"} {
		require.True(t, strings.HasPrefix(lines[k+1], filepath.Join(dir, name)+": "), lines[k+1])
	}
	require.Equal(t, "checked 6 samples: 2 ok, 4 failed, 1 duplicate entries", lines[5])

	// A malformed list stops with the file and line.
	bad := writeFile(t, filepath.Join(dir, "bad.csv"), "good.mp4 0\ngood.mp4 zero\n")
	_, _, err = Check(context.Background(), bad, CheckOptions{}, &out)
	require.Error(t, err)
	require.Contains(t, err.Error(), "bad.csv:2:")

	// A one-frame video is too short for overlapping probe clips.
	short := writeFile(t, filepath.Join(dir, "short.csv"), "one.mp4 0\n")
	out.Reset()
	ok, failed, err = Check(context.Background(), short, CheckOptions{Sampling: ProbeSampling(2, false)}, &out)
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 1}, [2]int{ok, failed})
	require.Contains(t, out.String(), "video too short")
}

func TestCheckImageFolder(t *testing.T) {
	root := makeImageFolder(t)
	var out, progress bytes.Buffer
	ok, failed, err := Check(context.Background(), root, CheckOptions{Progress: &progress}, &out)
	require.NoError(t, err)
	require.Equal(t, 8, ok)
	require.Equal(t, 1, failed)
	require.Equal(t, filepath.Join(root, "train", "dog", "broken.jpg")+": decode image: unsupported format (JPEG and PNG are supported)\n"+
		"checked 9 samples: 8 ok, 1 failed\n", out.String())

	out.Reset()
	ok, failed, err = Check(context.Background(), root, CheckOptions{Split: "val"}, &out)
	require.NoError(t, err)
	require.Equal(t, [2]int{3, 0}, [2]int{ok, failed})
	require.Equal(t, "checked 3 samples: 3 ok, 0 failed\n", out.String())
}

func TestOpenDetectsKind(t *testing.T) {
	root := makeImageFolder(t)
	ds, err := Open(root, OpenOptions{Split: "val"})
	require.NoError(t, err)
	require.IsType(t, &ImageFolder{}, ds)
	require.Equal(t, 3, ds.Len())

	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.csv"), "x.mp4 0\n")
	b := writeFile(t, filepath.Join(dir, "b.txt"), "y.mp4 3\nz.mp4 1\n")
	ds, err = Open(a+","+b, OpenOptions{})
	require.NoError(t, err)
	require.IsType(t, &VideoList{}, ds)
	require.Equal(t, 3, ds.Len())
	require.Equal(t, 4, ds.NumClasses())

	for _, p := range []string{"", filepath.Join(dir, "x.json"), dir} {
		_, err = Open(p, OpenOptions{})
		require.Error(t, err, p)
	}
	k, err := DetectKind(root)
	require.NoError(t, err)
	require.Equal(t, "image folder", k.String())
}
