package datasets

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// decodeRGB24 decodes a video file to raw RGB24 frames with the ffmpeg program.
func decodeRGB24(t *testing.T, path string) []byte {
	t.Helper()
	var out, stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", path,
		"-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "decode %s: %s", path, stderr.String())
	return out.Bytes()
}

func TestExportVideosRoundTrip(t *testing.T) {
	testutil.RequireTool(t, "ffmpeg", "ffmpeg")
	ds, err := synthetic.Builtin(synthetic.Motion, synthetic.Config{Seed: 3, TrainSize: 6, ValSize: 3, Frames: 8, Size: 48})
	require.NoError(t, err)
	dir := t.TempDir()
	progress := 0
	opts := ExportOptions{Dir: dir, Progress: func(n int) { progress += n }}
	require.NoError(t, ExportSynthetic(context.Background(), ds, opts))
	require.Equal(t, 9, progress)
	require.Equal(t, 9, ExportCount(ds, opts))

	for _, split := range []string{synthetic.SplitTrain, synthetic.SplitVal} {
		list, err := os.ReadFile(filepath.Join(dir, split+".csv"))
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSuffix(string(list), "\n"), "\n")
		require.Len(t, lines, ds.SplitLen(split))
		for i, line := range lines {
			fields := strings.Split(line, " ")
			require.Len(t, fields, 2, "line %q", line)
			require.False(t, filepath.IsAbs(fields[0]), "paths are relative to the list's folder")
			label, err := strconv.Atoi(fields[1])
			require.NoError(t, err)
			want, wantLabel := ds.RenderFrames(split, i)
			require.Equal(t, wantLabel, label)

			got := decodeRGB24(t, filepath.Join(dir, filepath.FromSlash(fields[0])))
			require.Len(t, got, len(want.Pix), "%s: decoded frames", fields[0])
			sum := 0
			for j, v := range got {
				sum += max(int(v)-int(want.Pix[j]), int(want.Pix[j])-int(v))
			}
			mae := float64(sum) / float64(len(got))
			require.Less(t, mae, 8.0, "%s: mean absolute error after H.264", fields[0])
		}
	}
	tmps, err := filepath.Glob(filepath.Join(dir, "*", "*", "*.tmp*"))
	require.NoError(t, err)
	require.Empty(t, tmps)
}

func TestExportImages(t *testing.T) {
	ds, err := synthetic.Builtin(synthetic.Appearance, synthetic.Config{TrainSize: 20, ValSize: 10, Frames: 1, Size: 32})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, ExportSynthetic(context.Background(), ds, ExportOptions{Dir: dir, Workers: 3}))
	for _, split := range []string{synthetic.SplitTrain, synthetic.SplitVal} {
		for i := range ds.SplitLen(split) {
			want, label := ds.RenderImage(split, i)
			path := filepath.Join(dir, split, ds.ClassNames()[label], strconv.Itoa(1000000 + i)[1:]+".png")
			f, err := os.Open(path)
			require.NoError(t, err)
			img, err := png.Decode(f)
			require.NoError(t, f.Close())
			require.NoError(t, err)
			got := make([]byte, 0, len(want.Pix))
			for y := range 32 {
				for x := range 32 {
					r, g, b, _ := img.At(x, y).RGBA()
					got = append(got, byte(r>>8), byte(g>>8), byte(b>>8))
				}
			}
			require.Equal(t, want.Pix, got, "%s: PNG is lossless", path)
		}
	}
	_, err = os.Stat(filepath.Join(dir, "train.csv"))
	require.True(t, os.IsNotExist(err), "image sets use the ImageFolder layout, no list file")
}

func TestExportErrors(t *testing.T) {
	ctx := context.Background()
	motion, err := synthetic.Builtin(synthetic.Motion, synthetic.Config{TrainSize: 2, ValSize: 2, Frames: 2, Size: 16})
	require.NoError(t, err)
	odd, err := synthetic.Builtin(synthetic.Motion, synthetic.Config{Frames: 2, Size: 17})
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		ds      *synthetic.Dataset
		opts    ExportOptions
		wantErr string
	}{
		{"no dir", motion, ExportOptions{}, "no output folder"},
		{"no ffmpeg", motion, ExportOptions{Dir: t.TempDir(), FFmpeg: "no-such-ffmpeg-program"}, "apt-get install -y ffmpeg"},
		{"odd size", odd, ExportOptions{Dir: t.TempDir(), PixelFormat: "yuv420p"}, "even frame size"},
		{"bad split", motion, ExportOptions{Dir: t.TempDir(), Images: true, Splits: []string{"test"}}, `split "test"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorContains(t, ExportSynthetic(ctx, tc.ds, tc.opts), tc.wantErr)
		})
	}
}
