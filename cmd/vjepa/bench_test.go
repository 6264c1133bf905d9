package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBenchBadFlags: bad --cases and --precision values fail at once with one line.
func TestBenchBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown case", []string{"--cases", "encoder_forward:vit_tiny-8x112,pretrain_step:vit_huge"},
			`vjepa bench: unknown benchmark case "pretrain_step:vit_huge" (valid: encoder_forward:vit_tiny-8x112, `},
		{"bad precision", []string{"--precision", "fp8"}, `vjepa bench: --precision "fp8": want float32 or bfloat16`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(context.Background(), append([]string{"bench", "--backend", "go"}, tc.args...), &stderr)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr.String(), tc.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
		})
	}
}
