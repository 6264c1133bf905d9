package benchmarks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
