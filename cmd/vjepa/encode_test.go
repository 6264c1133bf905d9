package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestEncodePredictReproduceFixtures(t *testing.T) {
	for _, name := range fixtures.Names {
		t.Run(name, func(t *testing.T) {
			f := fixtures.MustLoad(t, name)
			cfg := filepath.Join("testdata", name+".yaml")
			ckpt := f.Path("checkpoint.pth")
			dir := t.TempDir()
			out := filepath.Join(dir, "full.npy")
			code, stderr := runCLI(t, "encode", "--config", cfg, "--checkpoint", ckpt, "--encoder", "encoder",
				"--input", f.Path("input.npy"), "--out", out)
			require.Equal(t, 0, code, stderr)
			requireClose(t, f.Path("enc_full.npy"), out, 1e-4)
			for i := 0; i < f.NumMasks(); i++ {
				ctx := f.Path(fmt.Sprintf("masks_enc_%d.npy", i))
				tgt := f.Path(fmt.Sprintf("masks_pred_%d.npy", i))
				out := filepath.Join(dir, fmt.Sprintf("ctx%d.npy", i))
				code, stderr := runCLI(t, "encode", "--config", cfg, "--checkpoint", ckpt, "--encoder", "encoder",
					"--input", f.Path("input.npy"), "--context-indices", ctx, "--out", out)
				require.Equal(t, 0, code, stderr)
				requireClose(t, f.Path(fmt.Sprintf("enc_ctx_%d.npy", i)), out, 1e-4)
				pred := filepath.Join(dir, fmt.Sprintf("pred%d.npy", i))
				code, stderr = runCLI(t, "predict", "--config", cfg, "--checkpoint", ckpt,
					"--input", f.Path("input.npy"), "--context-indices", ctx, "--target-indices", tgt,
					"--mask-index", fmt.Sprint(i), "--out", pred)
				require.Equal(t, 0, code, stderr)
				requireClose(t, f.Path(fmt.Sprintf("pred_%d.npy", i)), pred, 1e-4)
			}
		})
	}
}

func TestEncodeBadInput(t *testing.T) {
	f := fixtures.MustLoad(t, "small_both")
	dir := t.TempDir()
	cfg := filepath.Join("testdata", "small_both.yaml")
	ckpt := f.Path("checkpoint.pth")
	input := f.Path("input.npy")
	f64clip := writeNPY(t, dir, "f64.npy", npy.NewFloat64([]int{1, 3, 6, 80, 80}, make([]float64, 3*6*80*80)))
	rank4 := writeNPY(t, dir, "rank4.npy", npy.NewFloat32([]int{3, 6, 80, 80}, make([]float32, 3*6*80*80)))
	oddSize := writeNPY(t, dir, "odd.npy", npy.NewFloat32([]int{1, 3, 6, 72, 80}, make([]float32, 3*6*72*80)))
	badIdx := writeNPY(t, dir, "badidx.npy", npy.NewInt64([]int{2, 2}, []int64{0, 75, 1, 2}))
	f32Idx := writeNPY(t, dir, "f32idx.npy", npy.NewFloat32([]int{2, 2}, []float32{0, 1, 1, 2}))
	garbage := testutil.WriteFile(t, "garbage.pth", "not a checkpoint")
	otherCfg := filepath.Join("testdata", "small_short.yaml")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing input", []string{"--input", filepath.Join(dir, "nope.npy")}, "nope.npy"},
		{"float64 clip", []string{"--input", f64clip}, "float32"},
		{"rank 4 clip", []string{"--input", rank4}, "[B,3,T,H,W]"},
		{"size not divisible", []string{"--input", oddSize}, "does not tile"},
		{"index out of range", []string{"--input", input, "--context-indices", badIdx}, "out of range"},
		{"float indices", []string{"--input", input, "--context-indices", f32Idx}, "int64"},
		{"garbage checkpoint", []string{"--input", input, "--checkpoint", garbage}, "garbage.pth"},
		{"config/checkpoint mismatch", []string{"--input", input, "--config", otherCfg}, "wrong shape"},
		{"bad encoder key", []string{"--input", input, "--encoder", "foo"}, "target_encoder or encoder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := map[string]string{"--config": cfg, "--checkpoint": ckpt, "--out": filepath.Join(dir, "o.npy")}
			code, stderr := runCLI(t, withFlags("encode", base, tc.args)...)
			requireCLIError(t, code, stderr, tc.want)
		})
	}
}
