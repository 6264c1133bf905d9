package testutil

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/safetensors"
)

// RequireSameSafetensors fails the test unless the safetensors files at wantPath and gotPath
// hold the same tensor names, in the same order, with equal shapes and float32 values.
func RequireSameSafetensors(t testing.TB, wantPath, gotPath string) {
	t.Helper()
	got, err := safetensors.Open(gotPath)
	require.NoError(t, err)
	defer got.Close()
	want, err := safetensors.Open(wantPath)
	require.NoError(t, err)
	defer want.Close()
	require.Equal(t, want.Names(), got.Names())
	for _, n := range want.Names() {
		wv, ws, err := want.Float32(n)
		require.NoError(t, err)
		gv, gs, err := got.Float32(n)
		require.NoError(t, err)
		require.Equal(t, ws, gs, n)
		require.Equal(t, wv, gv, n)
	}
}
