package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestEmbedV2 embeds built-in clips with the V-JEPA 2 fixture model given as a Hugging Face
// folder and as the official checkpoint.pt: both give the same vectors.
func TestEmbedV2(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	cfg := filepath.Join("testdata", "v2_small_eval.yaml")
	dir := t.TempDir()
	var outs []*npy.Array
	for i, ckpt := range []string{f.Dir, f.Path("checkpoint.pt")} {
		out := filepath.Join(dir, []string{"hf.npy", "pt.npy"}[i])
		code, stderr := runCLI(t, "embed", "--config", cfg, "--checkpoint", ckpt, "--encoder", "encoder",
			"--input", "synthetic-motion", "--split", "val", "--out", out, "--workers", "1")
		require.Equal(t, 0, code, stderr)
		a, err := npy.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, 48, a.Shape[1])
		outs = append(outs, a)
	}
	require.Equal(t, outs[0].Shape, outs[1].Shape)
	for i := range outs[0].F32 {
		require.False(t, math.IsNaN(float64(outs[0].F32[i])))
		require.InDelta(t, outs[0].F32[i], outs[1].F32[i], 1e-5)
	}

	// A sin-cos evaluation config with V-JEPA 2 weights (no table in either file) is refused,
	// not silently run with a computed table.
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	text, _ := testutil.ReplaceLine(t, string(raw), "  use_rope: true", "")
	v1 := testutil.WriteFile(t, "v1.yaml", text)
	for _, ckpt := range []string{f.Dir, f.Path("checkpoint.pt")} {
		code, stderr := runCLI(t, "embed", "--config", v1, "--checkpoint", ckpt, "--input", "synthetic-motion",
			"--split", "val", "--out", filepath.Join(dir, "x.npy"))
		require.NotEqual(t, 0, code)
		require.Contains(t, stderr, "use_rope", ckpt)
	}
}
