package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadRunsReportsEveryBadFile(t *testing.T) {
	runs, err := LoadRuns(filepath.Join("testdata", "bad"))
	var le *LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, runs, 1, "the valid record is still returned")
	require.Equal(t, "good.json", runs[0].File)

	got := map[string]string{}
	for _, p := range le.Problems {
		got[p.File] = p.Err.Error()
	}
	tests := []struct{ file, want string }{
		{"malformed.json", "malformed JSON"},
		{"no-dataset.json", "missing field(s) dataset"},
		{"no-top1.json", "missing field(s) top1"},
		{"wrong-schema.json", `schema "vjepa-go/probe-run/v0"`},
	}
	require.Len(t, got, len(tests))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			require.Contains(t, got[tt.file], tt.want)
			require.Contains(t, err.Error(), tt.file+": ")
		})
	}
}

func TestLoadRunsValidation(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "bad", "good.json"))
	require.NoError(t, err)
	tests := []struct {
		name, from, to, want string
	}{
		{"empty dataset", `"dataset": "synthetic-motion"`, `"dataset": ""`, "empty dataset"},
		{"bad init", `"init": "random"`, `"init": "scratch"`, `backbone.init "scratch"`},
		{"no probe type", `"type": "attentive"`, `"type": ""`, "empty probe.type"},
		{"top1 out of range", `"top1": 31.5,`, `"top1": 131.5,`, "outside [0, 100]"},
		{"best head out of range", `"best_head": 0`, `"best_head": 3`, "best_head 3 outside the 1 heads"},
		{"wrong type", `"top1": 31.5,`, `"top1": "high",`, "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := replaceOnce(t, string(good), tt.from, tt.to)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "r.json"), []byte(data), 0o644))
			_, err := LoadRuns(dir)
			require.Error(t, err)
			require.Contains(t, err.Error(), "r.json: ")
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadRunsDuplicateID(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "bad", "good.json"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), good, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.json"), good, 0o644))
	runs, err := LoadRuns(dir)
	require.Error(t, err)
	require.Len(t, runs, 1)
	require.Contains(t, err.Error(), "b.json: run id")
	require.Contains(t, err.Error(), "already used by a.json")
}

func TestLoadRunsMissingDir(t *testing.T) {
	runs, err := LoadRuns(filepath.Join(t.TempDir(), "nope"))
	require.NoError(t, err)
	require.Empty(t, runs)
}

func replaceOnce(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	require.GreaterOrEqual(t, i, 0, "fixture lacks %q", from)
	return s[:i] + to + s[i+len(from):]
}
