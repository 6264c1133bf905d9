package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBadFlags: bad flag values fail at once, before any work, with a one-line error.
func TestBadFlags(t *testing.T) {
	bench := []string{"bench", "--backend", "go"}
	probe := []string{"probe", "--dataset", "synthetic-motion", "--random-only", "--records", t.TempDir(), "--feature-cache", ""}
	tests := []struct {
		name    string
		command []string
		args    []string
		want    string
	}{
		{"bench unknown case", bench, []string{"--cases", "encoder_forward:vit_tiny-8x112,pretrain_step:vit_huge"},
			`vjepa bench: unknown benchmark case "pretrain_step:vit_huge" (valid: encoder_forward:vit_tiny-8x112, `},
		{"bench precision", bench, []string{"--precision", "fp8"}, `vjepa bench: --precision: unknown precision "fp8" (valid: float32, bfloat16)`},
		{"bench attention", bench, []string{"--attention", "flash"}, `vjepa bench: --attention: unknown attention mode "flash" (valid: auto, full, chunked, fused)`},
		{"bench attention chunk", bench, []string{"--attention", "chunked", "--attention-chunk", "-1"},
			"vjepa bench: --attention-chunk -1: want a positive number of queries, or 0 for automatic"},
		{"probe attention", probe, []string{"--attention", "sparse"}, `vjepa probe: --attention: unknown attention mode "sparse" (valid: auto, full, chunked, fused)`},
		{"probe precision", probe, []string{"--precision", "fp16"}, `vjepa probe: --precision: unknown precision "fp16" (valid: auto, float32, bfloat16, float16)`},
		{"probe attention chunk", probe, []string{"--attention-chunk", "-8"}, "vjepa probe: --attention-chunk -8: want a positive number"},
		{"pretrain attention", []string{"pretrain", "--out", t.TempDir()}, []string{"--attention", "fast"},
			`vjepa pretrain: --attention: unknown attention mode "fast" (valid: auto, full, chunked, fused)`},
		{"pretrain precision", []string{"pretrain", "--out", t.TempDir()}, []string{"--precision", "float16"},
			`vjepa pretrain: --precision: unknown precision "float16" (valid: auto, float32, bfloat16)`},
		{"classify attention", []string{"classify", "--features", "missing.npy"}, []string{"--attention", "Chunks"},
			`vjepa classify: --attention: unknown attention mode "Chunks" (valid: auto, full, chunked, fused)`},
		{"classify precision", []string{"classify", "--features", "missing.npy"}, []string{"--precision", "half"},
			`vjepa classify: --precision: unknown precision "half" (valid: auto, float32, bfloat16, float16)`},
		{"embed attention", []string{"embed", "--dataset", "synthetic-motion"}, []string{"--attention", "x"},
			`vjepa embed: --attention: unknown attention mode "x" (valid: `},
		{"encode precision", []string{"encode", "--checkpoint", "missing"}, []string{"--precision", "int8"},
			`vjepa encode: --precision: unknown precision "int8" (valid: `},
		{"probe seeds", probe, []string{"--seeds", "-1"}, "--seeds -1: need at least one seed"},
		{"probe knn k", probe, []string{"--probe", "knn", "--knn-k", "0"}, "k must be positive"},
		{"probe knn temperature", probe, []string{"--probe", "knn", "--knn-temperature", "-1"}, "temperature positive"},
		{"probe knn labels", probe, []string{"--probe", "knn", "--knn-labels", "1,zero"}, `--knn-labels: "zero" is not a positive integer`},
		{"probe kind", probe, []string{"--probe", "attentiv"},
			`--probe: unknown probe type "attentiv" (valid: attentive, attentive4, avgpool-linear, knn)`},
		{"probe kind in a list", probe, []string{"--probe", "knn,avgpool"}, `unknown probe type "avgpool" (valid: `},
		{"probe encoder key", probe, []string{"--encoder", "target"},
			`unknown encoder key "target" (valid: target_encoder, encoder)`},
		{"probe dataset", []string{"probe", "--random-only"}, []string{"--dataset", "synthetic-motoin"},
			`unknown data set or config "synthetic-motoin" (built-in: `},
		{"probe trainer", probe, []string{"--trainer", "pytorch"}, `--trainer "pytorch": want vjepa-go or official`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runCLI(t, append(append([]string{}, tc.command...), tc.args...)...)
			requireCLIError(t, code, stderr, tc.want)
		})
	}
}

// TestBadProbeKindFailsBeforeExtraction: a mistyped --probe is refused before the backbone
// runs: within seconds, naming the valid types, with nothing written to the feature cache.
func TestBadProbeKindFailsBeforeExtraction(t *testing.T) {
	cache := t.TempDir()
	start := time.Now()
	code, stderr := runCLI(t, "probe", "--dataset", "synthetic-motion", "--random-only", "--probe", "attentiv",
		"--records", t.TempDir(), "--feature-cache", cache, "--out", t.TempDir())
	requireCLIError(t, code, stderr, "attentive, attentive4, avgpool-linear, knn")
	require.Less(t, time.Since(start), 5*time.Second)
	entries, err := os.ReadDir(cache)
	require.NoError(t, err)
	require.Empty(t, entries, "no features extracted")
}
