package benchmarks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refKitSample is a trimmed output of the reference kit's --json (schema_version 1): one
// encoder forward, one step and one failed case.
const refKitSample = `{
 "kit": "vjepa-go-reference", "schema_version": 2,
 "command": "bench_official.py --configs vit_tiny-8x112 --json out.json",
 "args": {"configs": "vit_tiny-8x112", "threads": 2},
 "env": {"date_utc": "2026-12-01T10:00:00Z", "python": "3.11.2", "cpus": 2, "jepa_commit": "51c59d5",
  "torch": "1.13.0a0", "threads": 2, "interop_threads": 2,
  "blas": ["/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"], "blas_variant": "openblas-openmp"},
 "results": [
  {"config": "vit_tiny-8x112", "go_name": "ViT-T 8×112", "go_table": "encoder forward", "mode": "fwd",
   "model": "vit_tiny", "embed_dim": 192, "depth": 12, "heads": 3, "frames": 8, "crop": 112, "patch": 16,
   "tubelet": 2, "tokens": 196, "batch": 2, "params_M": 5.5, "gflop_per_clip_fwd": 2.6, "gflop": 5.2,
   "median_s": 0.05, "min_s": 0.049, "max_s": 0.06, "times_s": [0.05, 0.049, 0.06], "warmup_s": [0.2],
   "clips_per_s": 40.0, "gflops_per_s": 104.0, "rss_setup_mib": 300, "peak_rss_mib": 412.5,
   "rss_scope": "case", "loadavg_1m": [0.1, 0.9]},
  {"config": "cpu-default", "mode": "step", "batch": 24, "tokens": 256, "pred_depth": 3, "pred_dim": 96,
   "Kc": [24, 32], "Kp": [152, 192], "mask_draw": 3, "match_masks": [[24, 152], [32, 192]], "match_distance": 0,
   "gflop": 69.6, "median_s": 0.97, "min_s": 0.95, "max_s": 1.1, "clips_per_s": 24.742, "gflops_per_s": 71.8,
   "peak_rss_mib": 787, "loss_first": 0.81, "loss_last": 0.8},
  {"config": "vit_small-16x224", "mode": "step", "error": "child exited with status -9 (SIGKILL: out of memory?)"}
 ]
}`

func TestParseReferenceJSON(t *testing.T) {
	got, env, err := ParseReferenceJSON([]byte(refKitSample))
	require.NoError(t, err)
	assert.Equal(t, "1.13.0a0", env.Torch)
	assert.Equal(t, 2, env.Threads)
	assert.Equal(t, "openblas-openmp", env.BLASVariant)
	require.NotNil(t, env.JEPACommit)
	assert.Equal(t, "51c59d5", *env.JEPACommit)
	require.Len(t, got, 3)

	fwd := got[0]
	assert.Equal(t, "vit_tiny-8x112", fwd.Config)
	assert.Equal(t, "fwd", fwd.Mode)
	assert.Equal(t, 2, fwd.Batch)
	assert.InDelta(t, 40.0, fwd.ClipsPerSec, 0)
	assert.InDelta(t, 104.0, fwd.GFLOPs, 0)
	assert.InDelta(t, 412.5, fwd.PeakRSSMiB, 0)
	assert.InDelta(t, 0.05, fwd.MedianS, 0)
	assert.Contains(t, string(fwd.Raw), `"go_table": "encoder forward"`)

	step := got[1]
	assert.Equal(t, []int{24, 32}, step.Kc)
	assert.Equal(t, []int{152, 192}, step.Kp)
	assert.InDelta(t, 69.6, step.GFLOP, 0)
	assert.Empty(t, step.Error)

	assert.Equal(t, "vit_small-16x224", got[2].Config)
	assert.Contains(t, got[2].Error, "SIGKILL")
	assert.Zero(t, got[2].ClipsPerSec)
}

func TestParseReferenceJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not JSON", "REFBENCH_RESULT {", "reference kit output"},
		{"other kit", `{"kit": "other", "schema_version": 1, "results": []}`, `kit "other"`},
		{"newer schema", `{"kit": "vjepa-go-reference", "schema_version": 3, "results": []}`, "schema 3"},
		{"no config", `{"kit": "vjepa-go-reference", "schema_version": 2, "results": [{"mode": "fwd"}]}`, "no config or mode"},
		{"no timing", `{"kit": "vjepa-go-reference", "schema_version": 2, "results": [{"config": "cpu-default", "mode": "step", "batch": 24}]}`, "median"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseReferenceJSON([]byte(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRefCaseArgs(t *testing.T) {
	enc := refCase{kind: KindEncoderForward, config: "vit_tiny-8x112", batch: 2}
	assert.Equal(t, []string{"k.py", "--configs", "vit_tiny-8x112", "--modes", "fwd", "--batch", "2", "--json", "o.json"},
		enc.args("k.py", "o.json", false))
	step := refCase{kind: KindPretrainStep, config: "cpu-default", batch: 24, predDepth: 3, pred: 96,
		kc: []int{24, 32}, kp: []int{152, 192}}
	assert.Equal(t, []string{"k.py", "--configs", "cpu-default", "--modes", "step", "--batch", "24", "--json", "o.json",
		"--pred-depth", "3", "--pred-dim", "96", "--match-masks", "24/152,32/192", "--repeats", "1"},
		step.args("k.py", "o.json", true))
	enc.repeats = 3
	assert.Equal(t, []string{"k.py", "--configs", "vit_tiny-8x112", "--modes", "fwd", "--batch", "2", "--json", "o.json", "--repeats", "3"},
		enc.args("k.py", "o.json", false))
	assert.Equal(t, 2, kitRepeats(1))
	assert.Equal(t, 5, kitRepeats(20))
}
