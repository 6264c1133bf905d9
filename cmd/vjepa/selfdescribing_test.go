package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
)

// TestOwnCheckpointNeedsNoConfig trains two steps, then encodes with the checkpoint alone:
// it carries its model, so the tokens equal those of an encode given the YAML.
func TestOwnCheckpointNeedsNoConfig(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(killConfig), 0o644))
	run := filepath.Join(dir, "run")
	code, stderr := runCLI(t, "pretrain", "--config", cfgPath, "--out", run, "--backend", "go", "--allow-slow",
		"--steps", "2", "--workers", "1", "--diagnostics-every", "0")
	require.Equal(t, 0, code, stderr)
	cks, err := backbone.ListCheckpoints(run)
	require.NoError(t, err)
	require.NotEmpty(t, cks)

	// A clip of the model's size: B=1, 3 channels, 4 frames of 32×32.
	clip := npy.NewFloat32([]int{1, 3, 4, 32, 32}, make([]float32, 3*4*32*32))
	for i := range clip.F32 {
		clip.F32[i] = float32(i%17)/17 - 0.5
	}
	in := filepath.Join(dir, "clip.npy")
	require.NoError(t, npy.WriteFile(in, clip))

	withYAML, alone := filepath.Join(dir, "a.npy"), filepath.Join(dir, "b.npy")
	code, stderr = runCLI(t, "encode", "--backend", "go", "--allow-slow", "--config", cfgPath, "--checkpoint", cks[len(cks)-1], "--input", in, "--out", withYAML)
	require.Equal(t, 0, code, stderr)
	code, stderr = runCLI(t, "encode", "--backend", "go", "--allow-slow", "--checkpoint", cks[len(cks)-1], "--input", in, "--out", alone)
	require.Equal(t, 0, code, stderr)
	requireClose(t, withYAML, alone, 0)
}
