package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/npy"
)

// runCLI runs the vjepa command with args and returns its exit status and standard error.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := run(context.Background(), args, &stderr)
	return code, stderr.String()
}

// requireCLIError fails t unless the command exited with status 1 and a one-line message
// holding each of want.
func requireCLIError(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	require.Equal(t, 1, code, stderr)
	for _, w := range want {
		require.Contains(t, stderr, w)
	}
	require.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one-line error: %q", stderr)
}

// withFlags returns the command followed by the flags of base, each replaced by its value in
// overrides (flag, value pairs), and the flags of overrides base lacks.
func withFlags(command string, base map[string]string, overrides []string) []string {
	for i := 0; i < len(overrides); i += 2 {
		base[overrides[i]] = overrides[i+1]
	}
	args := []string{command}
	for k, v := range base {
		args = append(args, k, v)
	}
	return args
}

// writeNPY writes a to dir/name and returns its path.
func writeNPY(t *testing.T, dir, name string, a *npy.Array) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, npy.WriteFile(p, a))
	return p
}

// requireClose fails t unless the float32 arrays of the two .npy files have the same shape
// and differ by at most tol.
func requireClose(t *testing.T, wantPath, gotPath string, tol float64) {
	t.Helper()
	want, err := npy.ReadFile(wantPath)
	require.NoError(t, err)
	got, err := npy.ReadFile(gotPath)
	require.NoError(t, err)
	require.Equal(t, want.Shape, got.Shape)
	worst := 0.0
	for i := range want.F32 {
		worst = math.Max(worst, math.Abs(float64(want.F32[i]-got.F32[i])))
	}
	require.LessOrEqual(t, worst, tol, "%s vs %s", filepath.Base(wantPath), filepath.Base(gotPath))
}
