package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/membudget"
)

// measuredPeaks are peak RSS measurements of the Go backend (MiB): the first calibration run
// of TestMemoryCalibration (2026-12-07, docs/performance.md "Memory planning"), the
// checkpointed ViT-S/ViT-B 16×224 batch 4 steps of docs/performance.md ("Memory") and the
// ViT-S 16×224 batch 1 step the earlier estimate was calibrated on, and the probe steps (not
// fitted: the step's coefficients).
var measuredPeaks = []struct {
	c        calibrationCase
	measured float64 // MiB
}{
	{calibrationCase{KindEncoderForward, "vit_tiny", 8, 224, 2, false}, 307},
	{calibrationCase{KindEncoderForward, "vit_tiny", 16, 224, 2, false}, 527},
	{calibrationCase{KindEncoderForward, "vit_small", 8, 224, 2, false}, 577},
	{calibrationCase{KindEncoderForward, "vit_small", 16, 224, 2, false}, 927},
	{calibrationCase{KindEncoderForward, "vit_base", 8, 224, 2, false}, 1616},
	{calibrationCase{KindEncoderForward, "vit_base", 16, 224, 2, false}, 2534},
	{calibrationCase{KindPretrainStep, "vit_tiny", 8, 112, 2, false}, 2052},
	{calibrationCase{KindPretrainStep, "vit_tiny", 8, 112, 2, true}, 1681},
	{calibrationCase{KindPretrainStep, "vit_tiny", 16, 112, 2, false}, 2405},
	{calibrationCase{KindPretrainStep, "vit_tiny", 16, 112, 2, true}, 1620},
	{calibrationCase{KindPretrainStep, "vit_small", 8, 112, 2, false}, 2906},
	{calibrationCase{KindPretrainStep, "vit_small", 8, 112, 2, true}, 2141},
	{calibrationCase{KindPretrainStep, "vit_small", 16, 112, 2, false}, 4092},
	{calibrationCase{KindPretrainStep, "vit_small", 16, 112, 2, true}, 2388},
	{calibrationCase{KindPretrainStep, "vit_small", 16, 224, 4, true}, 10.7 * 1024},
	{calibrationCase{KindPretrainStep, "vit_base", 16, 224, 4, true}, 18.0 * 1024},
	{calibrationCase{KindPretrainStep, "vit_small", 16, 224, 1, false}, 10.8e9 / (1 << 20)},
	{calibrationCase{KindProbeStep, "vit_tiny", 8, 224, 2, false}, 836},
	{calibrationCase{KindProbeStep, "vit_tiny", 16, 224, 2, false}, 2023},
	{calibrationCase{KindProbeStep, "vit_small", 8, 224, 2, false}, 1896},
	{calibrationCase{KindProbeStep, "vit_small", 16, 224, 1, false}, 2274},
}

func TestEstimatesMatchMeasuredPeaks(t *testing.T) {
	for _, tc := range measuredPeaks {
		t.Run(tc.c.String(), func(t *testing.T) {
			got := calibrationEstimate(t, tc.c) / (1 << 20)
			assert.InEpsilon(t, tc.measured, got, 0.25, "estimate %.0f MiB, measured %.0f MiB", got, tc.measured)
		})
	}
}

// TestWeightsOnceEstimateMatchesEncode: the forward estimate with the weights held once
// against the peak RSS of `vjepa encode` of a random V-JEPA 2 ViT-L (docs/performance.md,
// "Attention memory and encode memory"), which the official-shape bench cases reproduce.
func TestWeightsOnceEstimateMatchesEncode(t *testing.T) {
	cases, err := OfficialEncoderCases()
	require.NoError(t, err)
	var vitl backbone.Config
	for _, ec := range cases {
		if ec.Ref == "vjepa2_vitl-64x256" {
			vitl = ec.Config
		}
	}
	require.NotZero(t, vitl.Depth)
	short := vitl
	short.NumFrames = 16
	for _, tc := range []struct {
		name     string
		c        backbone.Config
		measured float64 // KiB, /usr/bin/time -v
	}{
		{"64x256 chunked", vitl, 3766432},
		{"16x256 full", short, 2922432},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := backbone.EstimateForwardBytesWeightsOnce(tc.c, 1) / 1024
			assert.InEpsilon(t, tc.measured, got, 0.25, "estimate %.2f GiB, measured %.2f GiB", got/(1<<20), tc.measured/(1<<20))
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
	plain := backbone.EstimateStepBytes(vits.Config, []int{568, 336}, []int{1000, 1232}, 4)
	ckpt := backbone.EstimateStepBytes(checkpointed(vits).Config, []int{568, 336}, []int{1000, 1232}, 4)
	t.Logf("ViT-S 16×224 batch 4: %.1f GB, checkpointed %.1f GB (estimated)", plain/1e9, ckpt/1e9)
	// Measured: 10.7 GiB checkpointed at batch 4, 10.1 GiB without at batch 2.
	assert.Less(t, ckpt, 0.75*plain)
}

func TestPlanCaseBatch(t *testing.T) {
	cases, err := DefaultStepCases()
	require.NoError(t, err)
	vits := cases[1]
	b, err := StepBatch(vits.Config, vits.Masks, 4)
	require.NoError(t, err)
	enc, err := OfficialEncoderCases()
	require.NoError(t, err)
	vitl := enc[0] // V-JEPA ViT-L 16×224, batch 4
	gib := float64(1 << 30)
	mem := func(g float64) membudget.Budget { return membudget.Budget{Bytes: g * gib, Source: "test"} }
	// fitting is a budget in which batch b just fits.
	fitting := func(need func(int) float64, b int) membudget.Budget {
		return membudget.Budget{Bytes: need(b)/backbone.UsableMemoryFraction + 1, Source: "test"}
	}
	kc, kp := maskLengths(b)
	stepNeed := func(n int) float64 { return backbone.EstimateStepBytes(vits.Config, kc, kp, n) }
	fwdNeed := func(n int) float64 { return backbone.EstimateForwardBytesWeightsOnce(vitl.Config, n) } // an official-shape case
	require.True(t, vitl.WeightsOnce)
	for _, tc := range []struct {
		name    string
		step    bool
		o       Options
		want    int
		note    string
		wantErr string
	}{
		{"step fits", true, Options{Memory: mem(1024)}, 4, "", ""},
		{"memory unknown", true, Options{}, 4, "", ""},
		{"step reduced", true, Options{Memory: fitting(stepNeed, 2)}, 2, "batch reduced from 4 to 2 to fit memory", ""},
		{"step skipped", true, Options{Memory: mem(2)}, 0, "even batch 1 needs", ""},
		{"fixed step refused", true, Options{Memory: mem(16), FixedBatch: true}, 0, "",
			"pretraining step pretrain_step:vit_small-16x224: batch 4 needs"},
		{"forward fits", false, Options{Memory: mem(64)}, 4, "", ""},
		{"forward reduced", false, Options{Memory: fitting(fwdNeed, 3)}, 3, "batch reduced from 4 to 3", ""},
		{"fixed forward refused", false, Options{Memory: mem(2), FixedBatch: true}, 0, "",
			"encoder forward encoder_forward:vitl16-16x224: batch 4 needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got int
			var note string
			var err error
			if tc.step {
				got, note, err = planStepBatch(vits, b, tc.o)
			} else {
				got, note, err = planEncoderBatch(vitl, tc.o)
			}
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "GiB available (test)")
				assert.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
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
		{"a long first call times one more", Budget{MinIters: 5, MaxIters: 10, LongCall: time.Millisecond}, 2 * time.Millisecond, 1},
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
