package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
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
			Time: Timing{First: 2, Median: 0.1, Iters: 3}, FLOPs: 4e9, Mem: MemoryPeak{MaxRSS: 300 << 20, HeapInuse: 100 << 20}}},
		Step: []StepResult{
			{Case: cpu, Batch: cpu.Batch, Step: Timing{First: 5, Median: 2, Iters: 3}, FLOPs: 70e9, Kc: []int{24, 32}, Kp: []int{152, 192},
				Mem: MemoryPeak{MaxRSS: 900 << 20}},
			{Case: StepCase{Name: "ViT-S 16×224", Ref: "vit_small-16x224", Config: heavy, Masks: pretrain.DefaultMaskConfigs(), Batch: 4},
				Skipped: "skipped (--quick)"},
		},
	}
}

// fakeKit writes a reference kit folder whose "python" answers like bench_reference.py:
// the import probe succeeds, and a run writes canned JSON for the --configs/--modes asked.
func fakeKit(t *testing.T) ReferenceKit {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, refScript), []byte("# stand-in\n"), 0o644))
	script := `#!/bin/sh
[ "$1" = "-c" ] && exit 0
while [ $# -gt 0 ]; do
  case "$1" in
    --configs) cfg=$2; shift ;;
    --modes) mode=$2; shift ;;
    --batch) batch=$2; shift ;;
    --json) out=$2; shift ;;
  esac
  shift
done
cat > "$out" <<JSON
{"kit": "refbench", "schema_version": 1, "env": {"torch": "1.13.0a0", "threads": 2, "blas_variant": "openblas-openmp"},
 "results": [{"config": "$cfg", "mode": "$mode", "batch": $batch, "gflop": 10, "median_s": 0.5,
  "clips_per_s": 4, "gflops_per_s": 20, "peak_rss_mib": 512}]}
JSON
`
	py := filepath.Join(dir, "fake-python")
	require.NoError(t, os.WriteFile(py, []byte(script), 0o755))
	return ReferenceKit{Dir: dir, Python: py}
}

func TestRunReferences(t *testing.T) {
	r := measuredReport(t)
	var log strings.Builder
	logf := func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }
	run := runReferences(context.Background(), fakeKit(t), r, logf)
	assert.Empty(t, run.Note)
	require.NotNil(t, run.Env)
	assert.Equal(t, "1.13.0a0", run.Env.Torch)
	require.NotNil(t, r.Encoder[0].Ref)
	assert.Equal(t, "fwd", r.Encoder[0].Ref.Mode)
	assert.Equal(t, 2, r.Encoder[0].Ref.Batch)
	require.NotNil(t, r.Step[0].Ref)
	assert.Equal(t, "cpu-default", r.Step[0].Ref.Config)
	assert.Equal(t, "step", r.Step[0].Ref.Mode)
	assert.Equal(t, 24, r.Step[0].Ref.Batch)
	assert.Nil(t, r.Step[1].Ref, "skipped cases are not run on the PyTorch side")
	assert.Contains(t, log.String(), "reference pretrain_step:cpu-default b24")

	r.Reference = &run
	md, err := r.Markdown()
	require.NoError(t, err)
	assert.Contains(t, md, "timed by the reference kit")
	assert.Contains(t, md, "torch 1.13.0a0")
	assert.Contains(t, md, "5.00×", "ViT-T: 20 clips/s against 4")
	assert.Contains(t, md, "3.00×", "cpu-default: 12 clips/s against 4")
	assert.NotContains(t, md, "PyTorch quoted, not measured here", "measured figures replace the quoted ones")
}

func TestRunReferencesUnavailable(t *testing.T) {
	kit := fakeKit(t)
	for _, tc := range []struct {
		name string
		kit  ReferenceKit
		want string
	}{
		{"no kit", ReferenceKit{Dir: t.TempDir(), Python: kit.Python}, "no bench_reference.py in"},
		{"no python", ReferenceKit{Dir: kit.Dir, Python: "/nonexistent/python3"}, "/nonexistent/python3: not found"},
		{"no torch", ReferenceKit{Dir: kit.Dir, Python: "false"}, "false: exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := measuredReport(t)
			run := runReferences(context.Background(), tc.kit, r, func(string, ...any) {})
			assert.Contains(t, run.Note, "PyTorch reference not run")
			assert.Contains(t, run.Note, tc.want)
			assert.NotContains(t, run.Note, "\n")
			assert.Nil(t, r.Encoder[0].Ref)
			r.Reference = &run
			md, err := r.Markdown()
			require.NoError(t, err)
			assert.Contains(t, md, tc.want)
			assert.NotContains(t, md, "timed by the reference kit")
			assert.Contains(t, md, "PyTorch quoted, not measured here", "the quoted fallback is labelled")
			got := r.JSON()
			assert.Nil(t, got.Cases[0].Reference)
			assert.Equal(t, run.Note, got.RefNote)
		})
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
		for _, key := range []string{"case", "batch", "clips_per_s", "gflop_per_s", "peak_rss_mib", "reference"} {
			assert.Contains(t, c, key, "case %v", c["case"])
		}
	}
	enc, step, skipped := got.Cases[0], got.Cases[1], got.Cases[2]
	assert.Equal(t, "encoder_forward:vit_tiny-8x112", enc["case"])
	assert.InDelta(t, 20.0, enc["clips_per_s"], 1e-9)
	assert.InDelta(t, 40.0, enc["gflop_per_s"], 1e-9)
	assert.InDelta(t, 300.0, enc["peak_rss_mib"], 1e-9)
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

// TestRunWithExecution benchmarks the tiny cases with bfloat16 blocks and gradient
// checkpointing and records that in both reports.
func TestRunWithExecution(t *testing.T) {
	o := tinyOptions(t)
	o.Probe, o.Video.Skip, o.Synthetic.Skip = nil, true, true
	o.Exec = backbone.Execution{ComputeDType: dtypes.BFloat16, GradCheckpointing: true}
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, "bfloat16, gradient checkpointing", r.Exec)
	require.Len(t, r.Step, 1)
	assert.Greater(t, r.Step[0].Step.Median, 0.0)
	md, err := r.Markdown()
	require.NoError(t, err)
	assert.Contains(t, md, "Transformer blocks: bfloat16, gradient checkpointing")
	assert.Equal(t, r.Exec, r.JSON().Exec)
}
