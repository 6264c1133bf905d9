package main

import "testing"

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
		{"bench precision", bench, []string{"--precision", "fp8"}, `vjepa bench: --precision "fp8": want float32 or bfloat16`},
		{"probe seeds", probe, []string{"--seeds", "-1"}, "--seeds -1: need at least one seed"},
		{"probe knn k", probe, []string{"--probe", "knn", "--knn-k", "0"}, "k must be positive"},
		{"probe knn temperature", probe, []string{"--probe", "knn", "--knn-temperature", "-1"}, "temperature positive"},
		{"probe knn labels", probe, []string{"--probe", "knn", "--knn-labels", "1,zero"}, `--knn-labels: "zero" is not a positive integer`},
		{"probe trainer", probe, []string{"--trainer", "pytorch"}, `--trainer "pytorch": want vjepa-go or official`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runCLI(t, append(append([]string{}, tc.command...), tc.args...)...)
			requireCLIError(t, code, stderr, tc.want)
		})
	}
}
