package backbone

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/membudget"
)

func TestPlanBatch(t *testing.T) {
	const gb = 1 << 30
	perClip := func(b int) float64 { return float64(b) * gb }  // 1 GiB a clip
	budget := membudget.Budget{Bytes: 10 * gb, Source: "test"} // 8 GiB usable
	for _, tc := range []struct {
		name   string
		plan   BatchPlan
		budget membudget.Budget
		want   int
		err    string
	}{
		{"fits", BatchPlan{What: "x", Want: 4, Need: perClip}, budget, 4, ""},
		{"auto keeps what fits", BatchPlan{What: "x", Want: 8, Auto: true, Need: perClip}, budget, 8, ""},
		{"auto reduces", BatchPlan{What: "x", Want: 64, Auto: true, Need: perClip}, budget, 8, ""},
		{"fixed refuses", BatchPlan{What: "embed vit_huge", Want: 9, Need: perClip}, budget, 0,
			"embed vit_huge: batch 9 needs ≈9.0 GiB (estimated), more than 80 % of the 10.0 GiB available (test); use a smaller batch"},
		{"nothing fits", BatchPlan{What: "x", Want: 4, Auto: true, Need: func(int) float64 { return 20 * gb }}, budget, 0,
			"x: even batch 1 needs ≈20.0 GiB"},
		{"unknown memory", BatchPlan{What: "x", Want: 64, Need: perClip}, membudget.Budget{}, 64, ""},
		{"no batch", BatchPlan{What: "x", Want: 0, Need: perClip}, budget, 0, "x: batch 0 < 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PlanBatch(tc.plan, tc.budget)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEstimatesGrowWithBatchAndClip(t *testing.T) {
	c, err := Preset("vit_small")
	require.NoError(t, err)
	long := c
	long.NumFrames = 32
	assert.Less(t, EstimateForwardBytes(c, 1), EstimateForwardBytes(c, 2))
	assert.Less(t, EstimateForwardBytes(c, 1), EstimateForwardBytes(long, 1))
	kc, kp := []int{100, 50}, []int{200, 300}
	assert.Less(t, EstimateStepBytes(c, kc, kp, 1), EstimateStepBytes(c, kc, kp, 2))
	ck := c
	ck.Exec.GradCheckpointing = true
	assert.Less(t, EstimateStepBytes(ck, kc, kp, 4), EstimateStepBytes(c, kc, kp, 4))
}

func ExamplePlanBatch() {
	c, _ := Preset("vit_large")
	c.NumFrames, c.CropSize = 64, 256
	budget := membudget.Budget{Bytes: 8 << 30, Source: "MemAvailable of /proc/meminfo"}
	_, err := PlanBatch(BatchPlan{What: "encoder forward vit_large 64×256", Want: 8,
		Need: func(b int) float64 { return EstimateForwardBytes(c, b) }}, budget)
	fmt.Println(err != nil)
	// Output: true
}

// A one-call forward that passes its weights as inputs (EncoderRunner.WeightsAsInputs, as
// `vjepa encode`) holds them once instead of three times.
func ExampleEstimateForwardBytesWeightsOnce() {
	c, _ := Preset("vit_large")
	c.NumFrames, c.CropSize = 64, 256
	once, constant := EstimateForwardBytesWeightsOnce(c, 1), EstimateForwardBytes(c, 1)
	fmt.Println(once < constant)
	// Output: true
}

func TestWeightsOnceCountsWeightsOnce(t *testing.T) {
	c, err := Preset("vit_small")
	require.NoError(t, err)
	c.NumFrames, c.CropSize = 2, 64
	weights := 4 * float64(NumParams(EncoderSpecs(c)))
	// A short clip stays below the heap bound: the difference is exactly two weight copies.
	assert.InDelta(t, 2*weights, EstimateForwardBytes(c, 1)-EstimateForwardBytesWeightsOnce(c, 1), 1)
}
