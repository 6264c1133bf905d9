package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/membudget"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// A batch whose estimate exceeds the machine's memory stops embed with one line naming the
// needed and the available memory, before any weights are read.
func TestEmbedRefusesABatchThatCannotFit(t *testing.T) {
	if !membudget.Host().Known() {
		t.Skip("no /proc/meminfo: the available memory is unknown and nothing is refused")
	}
	f := fixtures.MustLoad(t, "v2_small")
	code, stderr := runCLI(t, "embed", "--config", filepath.Join("testdata", "v2_small_eval.yaml"), "--checkpoint", f.Dir,
		"--encoder", "encoder", "--input", "synthetic-motion", "--split", "val", "--out", filepath.Join(t.TempDir(), "x.npy"),
		"--batch-size", "100000000")
	requireCLIError(t, code, stderr, "embed: encoder forward", "batch 100000000 needs ≈", "GiB (estimated), more than 80 % of the",
		"GiB available (MemAvailable of /proc/meminfo); use a smaller batch")
}

func TestPlanProbeExtraction(t *testing.T) {
	if !membudget.Host().Known() {
		t.Skip("no /proc/meminfo: the available memory is unknown and nothing is refused")
	}
	backend := testutil.Backend(t)
	small, err := backbone.Preset("vit_tiny")
	require.NoError(t, err)
	huge, err := backbone.Preset("vit_huge")
	require.NoError(t, err)
	huge.NumFrames, huge.CropSize = 64, 384 // 18,432 tokens: ~50 GB of attention scores a clip
	for _, tc := range []struct {
		name    string
		e       probe.Experiment
		want    int
		wantErr string
	}{
		{"fits", probe.Experiment{Dataset: "x", Model: small, BatchSize: 4}, 4, ""},
		{"nothing fits", probe.Experiment{Dataset: "x", Model: huge, BatchSize: 4}, 0, "even batch 1 needs"},
		{"augmented batch must fit", probe.Experiment{Dataset: "x", Model: huge, BatchSize: 4, Data: probe.DataSpec{Augment: true}}, 0,
			"on augmented training batches: batch 4 needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := planProbeExtraction(&tc.e, backend)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "GiB available (MemAvailable of /proc/meminfo)")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, tc.e.ExtractBatchSize)
		})
	}
}
