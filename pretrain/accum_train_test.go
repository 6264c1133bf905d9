package pretrain_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// accumConfig is testutil.TinyPretrainConfig with batches of 2 clips and 2 accumulated
// batches per step.
var accumConfig = strings.Replace(strings.Replace(testutil.TinyPretrainConfig, "batch_size: 4", "batch_size: 2", 1),
	"optimization:\n", "optimization:\n  accum_steps: 2\n", 1)

// runConfig trains text in dir (see runText) and returns the result with the state of its
// last checkpoint.
func runConfig(t *testing.T, text, dir string, steps int64, resume bool) (*pretrain.Result, *pretrain.State) {
	t.Helper()
	res, cfg := runText(t, text, dir, steps, resume, 0)
	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	st, _, err := pretrain.LoadCheckpoint(res.Checkpoint, model)
	require.NoError(t, err)
	return res, st
}

// TestRunAccumEqualsLargeBatch trains 4 steps with accum_steps 2 × batch_size 2 and with
// batch_size 4: the loader yields the same clips in the same order and the masks are drawn
// for the 4 clips together, so both runs must end with the same weights (within 1e-5). A run
// stopped after 2 accumulated steps and resumed ends where the uninterrupted one does.
func TestRunAccumEqualsLargeBatch(t *testing.T) {
	large, want := runConfig(t, testutil.TinyPretrainConfig, t.TempDir(), 4, false)
	accum, got := runConfig(t, accumConfig, t.TempDir(), 4, false)
	require.Equal(t, int64(4), accum.Steps)
	require.InDelta(t, large.FinalLoss, accum.FinalLoss, 1e-5)
	requireStatesClose(t, want, got, 1e-5)

	dir := t.TempDir()
	runConfig(t, accumConfig, dir, 2, false)
	resumed, again := runConfig(t, accumConfig, dir, 4, true)
	require.Equal(t, accum.FinalLoss, resumed.FinalLoss)
	require.Equal(t, got.Encoder, again.Encoder)
	require.Equal(t, got.Moments, again.Moments)
}

func TestRunRejectsBadAccumSteps(t *testing.T) {
	cfg, _, err := officialcfg.ParsePretrain("tiny.yaml", []byte(strings.Replace(accumConfig, "accum_steps: 2", "accum_steps: 0", 1)))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	_, err = pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: t.TempDir(), MaxSteps: 1, Progress: io.Discard})
	require.ErrorContains(t, err, "accum_steps 0 must be at least 1")
}
