package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeKit writes a reference kit folder whose "python" answers like bench_official.py: the
// import probe succeeds, and a run appends "kit CONFIG MODE" to calls and writes canned JSON
// for the --configs/--modes asked.
func fakeKit(t *testing.T, calls string) ReferenceKit {
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
echo "kit $cfg $mode" >> ` + calls + `
cat > "$out" <<JSON
{"kit": "vjepa-go-reference", "schema_version": 2, "env": {"torch": "1.13.0a0", "threads": 2, "blas_variant": "openblas-openmp"},
 "results": [{"config": "$cfg", "mode": "$mode", "batch": $batch, "gflop": 10, "median_s": 0.5, "min_s": 0.4,
  "clips_per_s": 4, "gflops_per_s": 20, "cores_busy": 1.9, "peak_rss_mib": 512}]}
JSON
`
	py := filepath.Join(dir, "fake-python")
	require.NoError(t, os.WriteFile(py, []byte(script), 0o755))
	return ReferenceKit{Dir: dir, Python: py}
}

// appendWriter appends every write to a file (the progress log beside the fake kit's calls).
type appendWriter string

func (w appendWriter) Write(p []byte) (int, error) {
	f, err := os.OpenFile(string(w), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Write(p)
}

// TestRunInterleavesReference runs the tiny cases beside a fake kit: each side twice,
// alternating, each case's best kept, the sgemm beside the matmul peak.
func TestRunInterleavesReference(t *testing.T) {
	calls := filepath.Join(t.TempDir(), "calls.log")
	o := tinyOptions(t)
	o.Video.Skip, o.Synthetic.Skip, o.Probes = true, true, nil
	o.Encoders[0].Ref, o.Steps[0].Ref = "vit_tiny-8x112", "cpu-default"
	kit := fakeKit(t, calls)
	o.Reference, o.Progress = &kit, appendWriter(calls)
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.NotNil(t, r.Reference)
	assert.Empty(t, r.Reference.Note)
	require.NotNil(t, r.Reference.Env)
	assert.Equal(t, "1.13.0a0", r.Reference.Env.Torch)

	data, err := os.ReadFile(calls)
	require.NoError(t, err)
	var order []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "kit "):
			order = append(order, strings.Fields(line)[2]) // the kit's mode
		case strings.HasPrefix(line, "matmul peak"), strings.HasPrefix(line, "encoder forward"), strings.HasPrefix(line, "pretraining step"):
			order = append(order, "ours")
		}
	}
	assert.Equal(t, []string{
		"sgemm", "sgemm", "sgemm", "sgemm", "ours", // two rounds of the peak's two sizes, logged once
		"ours", "fwd", "ours", "fwd", // ViT-T forward (the heavy ViT-B is skipped by --quick)
		"ours", "step", "ours", "step",
	}, order)

	assert.Len(t, r.RefMatMul, 2)
	assert.Equal(t, 20.0, PeakGFLOPs(r.RefMatMul))
	require.NotNil(t, r.Encoder[0].Ref)
	assert.Equal(t, "fwd", r.Encoder[0].Ref.Mode)
	assert.Equal(t, 2, r.Encoder[0].Ref.Batch)
	require.NotNil(t, r.Step[0].Ref)
	assert.Equal(t, "cpu-default", r.Step[0].Ref.Config)
	assert.Equal(t, 2, r.Step[0].Ref.Batch)
	assert.Nil(t, r.Encoder[1].Ref, "skipped cases are not run on the PyTorch side")

	md, err := r.Markdown()
	require.NoError(t, err)
	assert.Contains(t, md, "timed by the reference kit")
	assert.Contains(t, md, "torch sgemm GFLOP/s")
	assert.Contains(t, md, "torch 1.13.0a0")
	assert.NotContains(t, md, "PyTorch quoted, not measured here", "measured figures replace the quoted ones")
	j := r.JSON()
	assert.Equal(t, 20.0, j.RefSGEMM)
	require.NotNil(t, j.Cases[0].Reference)
	assert.Equal(t, 1.9, j.Cases[0].Reference.CoresBusy)
}

func TestRunReferenceUnavailable(t *testing.T) {
	kit := fakeKit(t, filepath.Join(t.TempDir(), "calls.log"))
	for _, tc := range []struct {
		name string
		kit  ReferenceKit
		want string
	}{
		{"no kit", ReferenceKit{Dir: t.TempDir(), Python: kit.Python}, "no bench_official.py in"},
		{"no python", ReferenceKit{Dir: kit.Dir, Python: "/nonexistent/python3"}, "/nonexistent/python3: not found"},
		{"no torch", ReferenceKit{Dir: kit.Dir, Python: "false"}, "false: exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t)
			o.Video.Skip, o.Synthetic.Skip, o.Probes, o.Steps = true, true, nil, nil
			o.Reference = &tc.kit
			r, err := Run(context.Background(), o)
			require.NoError(t, err)
			require.NotNil(t, r.Reference)
			note := r.Reference.Note
			assert.Contains(t, note, "PyTorch reference not run")
			assert.Contains(t, note, tc.want)
			assert.NotContains(t, note, "\n")
			assert.Nil(t, r.Encoder[0].Ref)
			assert.Empty(t, r.RefMatMul)
			md, err := r.Markdown()
			require.NoError(t, err)
			assert.Contains(t, md, tc.want)
			assert.NotContains(t, md, "timed by the reference kit")
			assert.Contains(t, md, "PyTorch quoted, not measured here", "the quoted fallback is labelled")
			got := r.JSON()
			assert.Nil(t, got.Cases[0].Reference)
			assert.Equal(t, note, got.RefNote)
		})
	}
}
