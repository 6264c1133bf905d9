package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestProbeFlagErrors: bad statistics and k-NN flags fail before any work, in one line.
func TestProbeFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--seeds", "-1"}, "--seeds -1: need at least one seed"},
		{[]string{"--probe", "knn", "--knn-k", "0"}, "k must be positive"},
		{[]string{"--probe", "knn", "--knn-temperature", "-1"}, "temperature positive"},
		{[]string{"--probe", "knn", "--knn-labels", "1,zero"}, `--knn-labels: "zero" is not a positive integer`},
		{[]string{"--trainer", "pytorch"}, `--trainer "pytorch": want vjepa-go or official`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			args := append([]string{"--dataset", "synthetic-motion", "--random-only", "--records", t.TempDir(),
				"--feature-cache", ""}, tt.args...)
			err := runProbe(context.Background(), args)
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}
