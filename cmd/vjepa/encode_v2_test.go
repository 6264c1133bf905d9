package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
)

// v2CLITol bounds |Δ| against the V-JEPA 2 fixture (its tensors are at most ~4 in size).
const v2CLITol = 1e-5

// TestEncodePredictV2 runs vjepa encode and predict on the V-JEPA 2 fixture with the weights
// given three ways: the Hugging Face folder and its model.safetensors (no --config), and the
// official checkpoint.pt with a YAML.
func TestEncodePredictV2(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	input := f.Path("input.npy")
	yaml := filepath.Join("testdata", "v2_small.yaml")
	sources := []struct {
		name string
		args []string
	}{
		{"hf folder", []string{"--checkpoint", f.Dir}},
		{"hf safetensors", []string{"--checkpoint", f.Path("model.safetensors")}},
		{"official pt", []string{"--checkpoint", f.Path("checkpoint.pt"), "--config", yaml}},
		// The official V-JEPA 2 YAML layout (data.dataset_fpcs, mask.full_complement).
		{"official pt and yaml", []string{"--checkpoint", f.Path("checkpoint.pt"), "--config", f.Path("config.yaml")}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "full.npy")
			code, stderr := runCLI(t, append([]string{"encode", "--input", input, "--out", out}, src.args...)...)
			require.Equal(t, 0, code, stderr)
			requireClose(t, f.Path("enc_full.npy"), out, v2CLITol)
			for i := 0; i < f.NumMasks(); i++ {
				ctx := f.Path(fmt.Sprintf("masks_enc_%d.npy", i))
				tgt := f.Path(fmt.Sprintf("masks_pred_%d.npy", i))
				out := filepath.Join(dir, fmt.Sprintf("ctx%d.npy", i))
				code, stderr := runCLI(t, append([]string{"encode", "--input", input, "--context-indices", ctx, "--out", out}, src.args...)...)
				require.Equal(t, 0, code, stderr)
				requireClose(t, f.Path(fmt.Sprintf("enc_ctx_%d.npy", i)), out, v2CLITol)
				// The official training path uses mask token 0 for every mask configuration.
				pred := filepath.Join(dir, fmt.Sprintf("pred%d.npy", i))
				code, stderr = runCLI(t, append([]string{"predict", "--input", input, "--context-indices", ctx,
					"--target-indices", tgt, "--mask-index", "0", "--out", pred}, src.args...)...)
				require.Equal(t, 0, code, stderr)
				requireClose(t, f.Path(fmt.Sprintf("pred_%d.npy", i)), pred, v2CLITol)
			}
		})
	}
}

// TestEncodeV2Execution: every attention mode of the backend, and a chunk size that splits
// the fixture's clip, give the official output; bfloat16 blocks stay within 5e-3 of it.
func TestEncodeV2Execution(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	for _, tc := range []struct {
		args []string
		tol  float64
	}{
		{[]string{"--attention", "full"}, v2CLITol},
		{[]string{"--attention", "chunked", "--attention-chunk", "7"}, v2CLITol},
		{[]string{"--attention", "fused"}, v2CLITol},
		{[]string{"--precision", "bfloat16"}, 5e-3 * 4},
	} {
		t.Run(fmt.Sprint(tc.args), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "full.npy")
			code, stderr := runCLI(t, append([]string{"encode", "--checkpoint", f.Dir, "--input", f.Path("input.npy"), "--out", out}, tc.args...)...)
			require.Equal(t, 0, code, stderr)
			requireClose(t, f.Path("enc_full.npy"), out, tc.tol)
		})
	}
}

func TestEncodeV2Errors(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	input := f.Path("input.npy")
	out := filepath.Join(t.TempDir(), "o.npy")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"pt without config", []string{"--checkpoint", f.Path("checkpoint.pt")}, "--config is required"},
		{"folder without weights", []string{"--checkpoint", t.TempDir()}, "must hold model.safetensors"},
		{"V-JEPA 1 yaml on V-JEPA 2 weights", []string{"--checkpoint", f.Dir, "--config", filepath.Join("testdata", "small_both.yaml")}, "set use_rope: true"},
		{"unknown attention", []string{"--checkpoint", f.Dir, "--attention", "flash"}, `--attention: unknown attention mode "flash" (valid: auto, full, chunked, fused)`},
		{"negative chunk", []string{"--checkpoint", f.Dir, "--attention-chunk", "-3"}, "--attention-chunk -3: want a positive number"},
		{"unknown precision", []string{"--checkpoint", f.Dir, "--precision", "fp8"}, `--precision: unknown precision "fp8" (valid: auto, float32, bfloat16, float16)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runCLI(t, append([]string{"encode", "--input", input, "--out", out}, tc.args...)...)
			require.NotEqual(t, 0, code)
			require.Contains(t, stderr, tc.want)
		})
	}
}
