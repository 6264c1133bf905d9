package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// sampleVideos are real videos shipped by the Debian package opencv-doc.
const sampleVideos = "/usr/share/doc/opencv-doc/examples/data"

// hfClassifierFixture is the Hugging Face VJEPA2ForVideoClassification fixture folder.
func hfClassifierFixture(t *testing.T) string {
	t.Helper()
	root, err := fixtures.Root()
	require.NoError(t, err)
	return filepath.Join(root, "hfcls_small")
}

// sampleVideo returns a real video of the opencv-doc examples, failing when it is missing.
func sampleVideo(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(sampleVideos, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: install the Debian package opencv-doc", p)
	}
	return p
}

// runCLIStdout is runCLI that also returns what the command printed on the process's
// standard output and, appended to run's stderr, on the process's standard error (progress
// and skipped videos).
func runCLIStdout(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	capture := func(f **os.File) func() string {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		saved := *f
		*f = w
		read := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			read <- string(b)
		}()
		return func() string {
			*f = saved
			require.NoError(t, w.Close())
			return <-read
		}
	}
	endOut, endErr := capture(&os.Stdout), capture(&os.Stderr)
	code, stderr = runCLI(t, args...)
	stdout = endOut()
	return code, stdout, endErr() + stderr
}

// TestClassifyHFClips runs `vjepa classify --checkpoint HF_FOLDER --input clip.npy` and
// compares the logits with the official encoder + probe at HF's and the official eps.
func TestClassifyHFClips(t *testing.T) {
	dir := hfClassifierFixture(t)
	tests := []struct {
		name, want string
		extra      []string
	}{
		{"hf eps", "logits_hf.npy", nil},
		{"official eps", "logits.npy", []string{"--official-eps"}},
		{"chunked attention", "logits.npy", []string{"--official-eps", "--attention", "chunked", "--attention-chunk", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "logits.npy")
			args := append([]string{"classify", "--checkpoint", dir, "--input", filepath.Join(dir, "input.npy"), "--out", out}, tt.extra...)
			code, stderr := runCLI(t, args...)
			require.Equal(t, 0, code, stderr)
			requireClose(t, filepath.Join(dir, tt.want), out, 1e-5)
		})
	}
}

// TestClassifyVideo classifies real videos: three labels of id2label for --top-k 3, JSON
// output, and a single clip with --segments 1 --views 1.
func TestClassifyVideo(t *testing.T) {
	dir := hfClassifierFixture(t)
	tree := sampleVideo(t, "tree.avi")
	labels := []string{"Sliding [something] from left to right", "Sliding [something] from right to left",
		"Lifting [something] up, then letting it drop", "Rolling [something] across a flat surface", "Turning [something] upside down"}
	t.Run("top 3", func(t *testing.T) {
		code, stdout, stderr := runCLIStdout(t, "classify", "--checkpoint", dir, "--video", tree, "--top-k", "3")
		require.Equal(t, 0, code, stderr)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.Len(t, lines, 3, stdout)
		var sum float64
		for _, l := range lines {
			label, prob, ok := strings.Cut(l, "  ")
			require.True(t, ok, l)
			require.Contains(t, labels, label)
			var p float64
			require.NoError(t, json.Unmarshal([]byte(prob), &p))
			sum += p
		}
		require.Greater(t, sum, 0.2)
		require.LessOrEqual(t, sum, 1.0001)
	})
	t.Run("json single clip", func(t *testing.T) {
		code, stdout, stderr := runCLIStdout(t, "classify", "--checkpoint", dir, "--json", "--segments", "1", "--views", "1",
			"--top-k", "5", tree, sampleVideo(t, "vtest.avi"))
		require.Equal(t, 0, code, stderr)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.Len(t, lines, 2)
		var r videoResult
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
		require.Equal(t, tree, r.Video)
		require.Len(t, r.Top, 5)
		var sum float32
		for _, p := range r.Top {
			require.Equal(t, labels[p.Class], p.Label)
			sum += p.Probability
		}
		require.InDelta(t, 1, sum, 1e-5)
	})
}

// TestClassifyBrokenVideo checks a broken video: a one-line error naming it and a non-zero
// exit on its own; a counted skip in batch mode (a folder), whose results file a rerun resumes.
func TestClassifyBrokenVideo(t *testing.T) {
	dir := hfClassifierFixture(t)
	videos := t.TempDir()
	broken := testutil.WriteFile(t, "broken.mp4", strings.Repeat("not a video ", 200))
	code, stderr := runCLI(t, "classify", "--checkpoint", dir, "--video", broken)
	requireCLIError(t, code, stderr, broken)

	for _, name := range []string{"tree.avi", "vtest.avi"} {
		raw, err := os.ReadFile(sampleVideo(t, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(videos, name), raw, 0o644))
	}
	raw, err := os.ReadFile(broken)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(videos, "broken.mp4"), raw, 0o644))
	results := filepath.Join(t.TempDir(), "results.csv")
	args := []string{"classify", "--checkpoint", dir, "--video", videos, "--top-k", "2", "--segments", "1", "--views", "1", "--out", results}
	code, _, stderr = runCLIStdout(t, args...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "skipped "+filepath.Join(videos, "broken.mp4"))
	require.Contains(t, stderr, "classified 2 video(s), 0 already in the results, 1 skipped")
	first, err := os.ReadFile(results)
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(string(first)), "\n"), 3, string(first))

	code, _, stderr = runCLIStdout(t, args...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "classified 0 video(s), 2 already in the results, 1 skipped")
	again, err := os.ReadFile(results)
	require.NoError(t, err)
	require.Equal(t, string(first), string(again))
}

// TestClassifyWholeModelBadInput checks the errors of the --input and --video modes: one
// line naming the file or flag and the problem.
func TestClassifyWholeModelBadInput(t *testing.T) {
	dir := hfClassifierFixture(t)
	root, err := fixtures.Root()
	require.NoError(t, err)
	clip := filepath.Join(dir, "input.npy")
	tree := sampleVideo(t, "tree.avi")
	odd := writeNPY(t, t.TempDir(), "odd.npy", npy.NewFloat32([]int{1, 3, 3, 48, 48}, make([]float32, 3*3*48*48)))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"two modes", []string{"--checkpoint", dir, "--input", clip, "--video", tree}, []string{"exactly one of --features"}},
		{"no mode", []string{"--checkpoint", dir}, []string{"exactly one of --features"}},
		{"no checkpoint", []string{"--input", clip, "--out", "x.npy"}, []string{"--checkpoint is required"}},
		{"not a classifier", []string{"--checkpoint", filepath.Join(root, "v2_small"), "--input", clip, "--out", "x.npy"},
			[]string{"v2_small is not a Hugging Face VJEPA2ForVideoClassification folder"}},
		{"pair without config", []string{"--checkpoint", dir, "--probe-checkpoint", "p.pt", "--input", clip, "--out", "x.npy"},
			[]string{"--config"}},
		{"clip size", []string{"--checkpoint", dir, "--input", odd, "--out", filepath.Join(t.TempDir(), "x.npy")},
			[]string{"odd.npy", "3 frames"}},
		{"missing video", []string{"--checkpoint", dir, "--video", "nope.mp4"}, []string{"nope.mp4"}},
		{"top-k", []string{"--checkpoint", dir, "--video", tree, "--top-k", "0"}, []string{"--top-k and --workers must be positive, got 0 and 2"}},
		{"frames", []string{"--checkpoint", dir, "--video", tree, "--frames", "3"}, []string{"3 frames per clip do not tile"}},
		{"results format", []string{"--checkpoint", dir, "--video", tree, "--out", "r.txt"}, []string{"--out r.txt", ".csv or .jsonl"}},
		{"class names", []string{"--checkpoint", dir, "--video", tree, "--class-names", testutil.WriteFile(t, "n.txt", "a\nb\n")},
			[]string{"n.txt: 2 class names, the probe has 5 classes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runCLI(t, append([]string{"classify"}, tt.args...)...)
			requireCLIError(t, code, stderr, tt.want...)
		})
	}
}

// TestClassifyResumesJSONL classifies a list file into JSON lines: a line cut by an
// interrupted run is dropped and redone, finished videos are kept.
func TestClassifyResumesJSONL(t *testing.T) {
	dir := hfClassifierFixture(t)
	tree, vtest := sampleVideo(t, "tree.avi"), sampleVideo(t, "vtest.avi")
	list := testutil.WriteFile(t, "videos.txt", tree+" 0\n"+vtest+" 1\n")
	results := filepath.Join(t.TempDir(), "results.jsonl")
	args := []string{"classify", "--checkpoint", dir, "--video", list, "--segments", "1", "--views", "1", "--top-k", "2", "--out", results}
	code, _, stderr := runCLIStdout(t, args...)
	require.Equal(t, 0, code, stderr)
	full, err := os.ReadFile(results)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(full), "\n")
	require.Len(t, lines, 3) // two results and the empty rest
	var r videoResult
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &r))
	require.Equal(t, vtest, r.Video)
	require.Len(t, r.Top, 2)

	// An interrupted run: the first line whole, the second cut.
	require.NoError(t, os.WriteFile(results, []byte(lines[0]+lines[1][:20]), 0o644))
	code, _, stderr = runCLIStdout(t, args...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "classified 1 video(s), 1 already in the results, 0 skipped")
	again, err := os.ReadFile(results)
	require.NoError(t, err)
	require.Equal(t, string(full), string(again))
}
