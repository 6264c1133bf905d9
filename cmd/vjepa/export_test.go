package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestExportHF exports the official checkpoint of v2_small in the Hugging Face layout: the
// tensors equal the fixture's model.safetensors (made with transformers' key map), and the
// folder encodes the clip with no --config.
func TestExportHF(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	dir := filepath.Join(t.TempDir(), "hf")
	code, stderr := runCLI(t, "export", "--format", "hf", "--checkpoint", f.Path("checkpoint.pt"),
		"--config", filepath.Join("testdata", "v2_small.yaml"), "--out", dir)
	require.Equal(t, 0, code, stderr)

	testutil.RequireSameSafetensors(t, f.Path("model.safetensors"), filepath.Join(dir, "model.safetensors"))

	out := filepath.Join(t.TempDir(), "full.npy")
	code, stderr = runCLI(t, "encode", "--checkpoint", dir, "--input", f.Path("input.npy"), "--out", out)
	require.Equal(t, 0, code, stderr)
	requireClose(t, f.Path("enc_full.npy"), out, v2CLITol)
}

func TestExportErrors(t *testing.T) {
	v1 := fixtures.MustLoad(t, "small_both")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"V-JEPA 1 model", []string{"--checkpoint", v1.Path("checkpoint.pth"), "--config", filepath.Join("testdata", "small_both.yaml")}, "only holds RoPE models"},
		{"format", []string{"--format", "onnx", "--checkpoint", v1.Dir}, `--format "onnx"`},
		{"no out", []string{"--checkpoint", v1.Dir, "--out", ""}, "--out are required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"export", "--out", filepath.Join(t.TempDir(), "o")}, tc.args...)
			code, stderr := runCLI(t, args...)
			require.NotEqual(t, 0, code)
			require.Contains(t, stderr, tc.want)
		})
	}
}
