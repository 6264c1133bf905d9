package benchmarks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/pretrain"
)

// measuredReport is a Report as Run leaves it after one encoder case, one measured step
// case and one skipped step case (no graphs are run).
func measuredReport(t *testing.T) *Report {
	t.Helper()
	c, err := PresetAt("vit_tiny", 8, 112, 16)
	require.NoError(t, err)
	cpu, err := CPUDefaultStepCase()
	require.NoError(t, err)
	heavy, err := PresetAt("vit_small", 16, 224, 16)
	require.NoError(t, err)
	return &Report{
		Command: "vjepa bench --json x.json",
		Encoder: []EncoderResult{{Case: EncoderCase{Name: "ViT-T 8×112", Ref: "vit_tiny-8x112", Config: c, Batch: 2},
			Time: Timing{First: 2, Median: 0.1, Iters: 3, CoresBusy: 1.8}, FLOPs: 4e9, Mem: MemoryPeak{MaxRSS: 300 << 20, HeapInuse: 100 << 20}}},
		Step: []StepResult{
			{Case: cpu, Batch: cpu.Batch, Step: Timing{First: 5, Median: 2, Iters: 3}, FLOPs: 70e9, Kc: []int{24, 32}, Kp: []int{152, 192},
				Mem: MemoryPeak{MaxRSS: 900 << 20}},
			{Case: StepCase{Name: "ViT-S 16×224", Ref: "vit_small-16x224", Config: heavy, Masks: pretrain.DefaultMaskConfigs(), Batch: 4},
				Skipped: "skipped (--quick)"},
		},
	}
}

func TestWriteJSON(t *testing.T) {
	r := measuredReport(t)
	r.Step[0].Ref = &MeasuredReference{Config: "cpu-default", Mode: "step", Batch: 24, ClipsPerSec: 24.7, GFLOPs: 71.8,
		PeakRSSMiB: 787, MedianS: 0.97, Kc: []int{24, 32}, Kp: []int{152, 192}, Raw: json.RawMessage(`{"config":"cpu-default"}`)}
	path := filepath.Join(t.TempDir(), "out", "bench.json")
	require.NoError(t, r.WriteJSON(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	var got struct {
		Command string           `json:"command"`
		Cases   []map[string]any `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &got))
	assert.Equal(t, "vjepa bench --json x.json", got.Command)
	require.Len(t, got.Cases, 3)
	for _, c := range got.Cases {
		for _, key := range []string{"case", "batch", "clips_per_s", "gflop_per_s", "peak_rss_mib", "reference",
			"cores_busy", "attention", "precision"} {
			assert.Contains(t, c, key, "case %v", c["case"])
		}
		assert.NotContains(t, c, "peak_device_mib", "no device memory on the CPU")
		assert.Equal(t, "full", c["attention"])
		assert.Equal(t, "float32", c["precision"])
	}
	enc, step, skipped := got.Cases[0], got.Cases[1], got.Cases[2]
	assert.Equal(t, "encoder_forward:vit_tiny-8x112", enc["case"])
	assert.InDelta(t, 20.0, enc["clips_per_s"], 1e-9)
	assert.InDelta(t, 40.0, enc["gflop_per_s"], 1e-9)
	assert.InDelta(t, 300.0, enc["peak_rss_mib"], 1e-9)
	assert.InDelta(t, 1.8, enc["cores_busy"], 1e-9)
	assert.Nil(t, enc["reference"])

	assert.Equal(t, "pretrain_step:cpu-default", step["case"])
	assert.InDelta(t, 24.0, step["batch"], 0)
	assert.InDelta(t, 12.0, step["clips_per_s"], 1e-9)
	ref, ok := step["reference"].(map[string]any)
	require.True(t, ok, "reference object")
	assert.InDelta(t, 24.7, ref["clips_per_s"], 1e-9)
	assert.InDelta(t, 71.8, ref["gflop_per_s"], 1e-9)
	assert.InDelta(t, 787.0, ref["peak_rss_mib"], 1e-9)
	assert.Equal(t, map[string]any{"config": "cpu-default"}, ref["kit_result"])

	assert.Equal(t, "pretrain_step:vit_small-16x224", skipped["case"])
	assert.Equal(t, "skipped (--quick)", skipped["skipped"])
	assert.InDelta(t, 4.0, skipped["batch"], 0)
	assert.Zero(t, skipped["clips_per_s"])
}
