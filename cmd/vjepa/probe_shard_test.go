package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

// TestProbeShardedExtraction runs the k-NN probe on a random-init backbone three ways: whole,
// and as two --extract-only --shard i/2 runs followed by the plain command on their cache.
// Both give exactly the same top-1 (every regime), and the final run leaves the cache
// untouched.
func TestProbeShardedExtraction(t *testing.T) {
	dir := t.TempDir()
	base := []string{"probe", "--dataset", "synthetic-motion", "--random-only", "--probe", "knn", "--seeds", "1",
		"--train-size", "96", "--val-size", "48", "--batch-size", "16", "--out", filepath.Join(dir, "out")}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }

	wholeCache, shardCache := filepath.Join(dir, "whole"), filepath.Join(dir, "sharded")
	code, stderr := runCLI(t, with("--feature-cache", wholeCache, "--records", filepath.Join(dir, "rec-whole"))...)
	require.Equal(t, 0, code, stderr)

	for i := range 2 {
		code, stderr = runCLI(t, with("--extract-only", "--shard", []string{"0/2", "1/2"}[i], "--feature-cache", shardCache)...)
		require.Equal(t, 0, code, stderr)
		if i == 0 {
			// Half a cache: the probes refuse and name the shard still to run.
			code, stderr = runCLI(t, with("--feature-cache", shardCache, "--records", filepath.Join(dir, "rec-sharded"))...)
			requireCLIError(t, code, stderr, "incomplete feature cache", "shard 1/2")
		}
	}
	before := treeDigest(t, shardCache, true)
	code, stderr = runCLI(t, with("--feature-cache", shardCache, "--records", filepath.Join(dir, "rec-sharded"))...)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, before, treeDigest(t, shardCache, true), "the probe run changed the cache")

	require.Equal(t, knnTop1(t, filepath.Join(dir, "rec-whole")), knnTop1(t, filepath.Join(dir, "rec-sharded")))
	require.Equal(t, treeDigest(t, wholeCache, false), treeDigest(t, shardCache, false), "sharded parts differ from whole ones")
}

// treeDigest maps every file under root to the SHA-256 of its bytes; with stamped, also to
// its modification time, and without it the plans (which name the shard count) are left out.
func treeDigest(t *testing.T, root string, stamped bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!stamped && d.Name() == "plan.json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		rel, _ := filepath.Rel(root, path)
		out[rel] = hex.EncodeToString(sum[:])
		if stamped {
			info, err := d.Info()
			if err != nil {
				return err
			}
			out[rel] += " " + info.ModTime().String()
		}
		return nil
	}))
	require.NotEmpty(t, out)
	return out
}

// knnTop1 reads the top-1 of every k-NN record in dir, by probe label.
func knnTop1(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	out := map[string]float64{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		var r probe.Record
		require.NoError(t, json.Unmarshal(raw, &r), p)
		out[r.Probe.Label()] = r.Top1
	}
	require.Len(t, out, 4, "knn with all labels and 1, 5, 10 per class")
	return out
}

// TestProbeShardSurvivesSIGKILL starts shard 1/2 of an extraction as a child process, kills
// it with SIGKILL once it has saved three parts, and reruns it: the parts saved before the
// kill are not encoded again, and the probes on the completed cache give the top-1 of a
// whole extraction.
func TestProbeShardSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	base := []string{"probe", "--dataset", "synthetic-motion", "--random-only", "--probe", "knn", "--seeds", "1",
		"--train-size", "192", "--val-size", "96", "--batch-size", "8", "--workers", "1", "--out", filepath.Join(dir, "out")}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	cache := filepath.Join(dir, "cache")
	parts := func() map[string]time.Time {
		paths, _ := filepath.Glob(filepath.Join(cache, "*", "part-*.npz"))
		out := map[string]time.Time{}
		for _, p := range paths {
			if st, err := os.Stat(p); err == nil {
				out[p] = st.ModTime()
			}
		}
		return out
	}

	exe, err := os.Executable()
	require.NoError(t, err)
	child := exec.Command(exe, with("--extract-only", "--shard", "1/2", "--feature-cache", cache)...)
	child.Env = append(os.Environ(), runMainEnv+"=1")
	require.NoError(t, child.Start())
	deadline := time.Now().Add(2 * time.Minute)
	for len(parts()) < 3 {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the child saved no three parts within 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, child.Process.Kill()) // SIGKILL: no cleanup runs in the child
	_ = child.Wait()
	saved := parts()
	require.Less(t, len(saved), 6+12, "the child was killed before the end of its shard (6 val and 12 train parts)")

	code, stderr := runCLI(t, with("--extract-only", "--shard", "1/2", "--feature-cache", cache)...)
	require.Equal(t, 0, code, stderr)
	after := parts()
	require.Len(t, after, 6+12)
	for p, mt := range saved {
		require.Equal(t, mt, after[p], "%s was encoded again", filepath.Base(p))
	}
	code, stderr = runCLI(t, with("--extract-only", "--shard", "0/2", "--feature-cache", cache)...)
	require.Equal(t, 0, code, stderr)
	code, stderr = runCLI(t, with("--feature-cache", cache, "--records", filepath.Join(dir, "rec-sharded"))...)
	require.Equal(t, 0, code, stderr)
	code, stderr = runCLI(t, with("--feature-cache", filepath.Join(dir, "whole"), "--records", filepath.Join(dir, "rec-whole"))...)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, knnTop1(t, filepath.Join(dir, "rec-whole")), knnTop1(t, filepath.Join(dir, "rec-sharded")))
}
