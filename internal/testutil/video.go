package testutil

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// RequireTool returns the path of program prog, failing the test (never skipping it) when it
// is missing: pkg names the Debian package that provides it.
func RequireTool(t testing.TB, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %s (see .ci/run or the README's set-up)", prog, pkg)
	}
	return p
}

// MakeTestVideo writes dir/name, a test-pattern video of size ("WxH"), frame rate and length
// made with the ffmpeg CLI; extra are output options placed before the file name.
func MakeTestVideo(t testing.TB, dir, name, size string, rate int, seconds float64, extra ...string) string {
	t.Helper()
	RequireTool(t, "ffmpeg", "ffmpeg")
	RequireTool(t, "ffprobe", "ffmpeg")
	path := filepath.Join(dir, name)
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc=size=" + size + ":rate=" + strconv.Itoa(rate), "-t", strconv.FormatFloat(seconds, 'f', -1, 64)}
	args = append(args, extra...)
	args = append(args, path)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	return path
}
