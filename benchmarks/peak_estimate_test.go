package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEstimateStepBytesMatchesMeasuredPeaks(t *testing.T) {
	cases, err := DefaultStepCases()
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		c        StepCase
		kc, kp   []int
		batch    int
		measured float64 // bytes, peak RSS of the Go backend
	}{
		{"ViT-T 8×112 b4", cases[0], []int{72, 28}, []int{100, 140}, 4, 2.5e9},
		{"ViT-S 16×224 b1", cases[1], []int{568, 336}, []int{1000, 1232}, 1, 10.8e9},
		{"ViT-T 8×112 b4 checkpointed", checkpointed(cases[0]), []int{72, 28}, []int{100, 140}, 4, 1.47e9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := EstimateStepBytes(tc.c.Config, tc.kc, tc.kp, tc.batch)
			assert.InEpsilon(t, tc.measured, got, 0.3)
		})
	}
}

func checkpointed(c StepCase) StepCase {
	c.Config.Exec.GradCheckpointing = true
	return c
}

func TestEstimateCheckpointedStepIsSmaller(t *testing.T) {
	cases, err := DefaultStepCases()
	require.NoError(t, err)
	vits := cases[1]
	plain := EstimateStepBytes(vits.Config, []int{568, 336}, []int{1000, 1232}, 4)
	ckpt := EstimateStepBytes(checkpointed(vits).Config, []int{568, 336}, []int{1000, 1232}, 4)
	t.Logf("ViT-S 16×224 batch 4: %.1f GB, checkpointed %.1f GB (estimated)", plain/1e9, ckpt/1e9)
	assert.Less(t, ckpt, plain/4)
}

func TestFitBatch(t *testing.T) {
	cases, err := DefaultStepCases()
	require.NoError(t, err)
	vits := cases[1]
	b, err := StepBatch(vits.Config, vits.Masks, 4)
	require.NoError(t, err)
	gib := float64(1 << 30)
	for _, tc := range []struct {
		name      string
		fraction  float64
		available float64
		want      int
		note      string
	}{
		{"plenty", 0.7, 1024 * gib, 4, ""},
		{"check off", 0, 1 * gib, 4, ""},
		{"unknown memory", 0.7, 0, 4, ""},
		{"reduced", 0.7, 20 * gib, 1, "batch reduced from 4 to 1"},
		{"nothing fits", 0.7, 2 * gib, 0, "batch 4 needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, note := fitBatch(vits.Config, b, tc.fraction, tc.available)
			assert.Equal(t, tc.want, got)
			if tc.note == "" {
				assert.Empty(t, note)
			} else {
				assert.Contains(t, note, tc.note)
			}
		})
	}
}

func TestMeasureBudget(t *testing.T) {
	for _, tc := range []struct {
		name  string
		b     Budget
		sleep time.Duration
		want  int
	}{
		{"min iterations", Budget{MinIters: 3, MaxIters: 10}, 0, 3},
		{"max iterations", Budget{MinIters: 1, MaxIters: 4, MinTime: time.Hour}, 0, 4},
		{"max time stops after one", Budget{MinIters: 5, MaxIters: 10, MaxTime: time.Millisecond}, 2 * time.Millisecond, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			got, err := measure(context.Background(), tc.b, func() error {
				calls++
				time.Sleep(tc.sleep)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Iters)
			assert.Equal(t, tc.want+1, calls)
		})
	}
}
