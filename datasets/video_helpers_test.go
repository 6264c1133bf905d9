package datasets

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/decode"
)

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// makeTestVideo writes a small test video with the ffmpeg CLI, failing the test when
// ffmpeg is absent. extra are output options placed before the file name.
func makeTestVideo(t testing.TB, dir, name, size string, rate int, seconds float64, extra ...string) string {
	t.Helper()
	requireTool(t, "ffmpeg", "ffmpeg")
	requireTool(t, "ffprobe", "ffmpeg")
	path := filepath.Join(dir, name)
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc=size=" + size + ":rate=" + itoa(rate), "-t", ftoa(seconds)}
	args = append(args, extra...)
	args = append(args, path)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	return path
}

// testDecoders lists the decoders built into this binary: the ffmpeg tools, then the
// in-process decoder when it is built in (it is then the default).
func testDecoders() []decode.Decoder {
	decs := []decode.Decoder{&decode.FFmpeg{}}
	if d := decode.Default(); d.Name() != decs[0].Name() {
		decs = append(decs, d)
	}
	return decs
}
