package decode

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
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

// testDecoders lists the decoders built into this binary.
func testDecoders() []Decoder {
	return append([]Decoder{&FFmpeg{}}, extraTestDecoders()...)
}

// requireTool fails the test (never skips it) when a program the tests need is missing.
func requireTool(t testing.TB, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %s (see .ci/run or the README's set-up)", prog, pkg)
	}
	return p
}
