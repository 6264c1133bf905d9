package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// runMainEnv makes the test binary behave as the vjepa command (see TestMain), so a test can
// start a real child process and SIGKILL it.
const runMainEnv = "VJEPA_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// killConfig is testutil.TinyPretrainConfig made small enough to train a few dozen steps in
// a test: a model of width 16 and depth 1 on batches of 2 clips, 2 epochs of 12 steps.
var killConfig = testutil.TinyPretrainVariant(
	"batch_size: 4", "batch_size: 2",
	"seed: 7", "seed: 11",
	"  embed_dim: 32", "  embed_dim: 16",
	"  depth: 2", "  depth: 1",
	"pred_embed_dim: 16", "pred_embed_dim: 8",
	"ipe: 3", "ipe: 12",
	"epochs: 3", "epochs: 2",
)

// TestPretrainSurvivesSIGKILL starts `vjepa pretrain` as a child process, kills it with SIGKILL
// once it has written its second checkpoint (it may be in the middle of anything, a checkpoint
// write included), resumes with --resume, and checks the final weights, EMA target and AdamW
// moments equal those of an uninterrupted run.
func TestPretrainSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(killConfig), 0o644))
	args := func(out string, extra ...string) []string {
		return append([]string{"pretrain", "--config", cfgPath, "--out", out, "--backend", "go", "--allow-slow",
			"--checkpoint-every", "2", "--keep", "2", "--workers", "1", "--mask-bucket", "1",
			"--diagnostics-every", "0"}, extra...)
	}

	full := filepath.Join(dir, "full")
	require.Equal(t, 0, run(context.Background(), args(full), io.Discard))

	killed := filepath.Join(dir, "killed")
	exe, err := os.Executable()
	require.NoError(t, err)
	child := exec.Command(exe, args(killed)...)
	child.Env = append(os.Environ(), runMainEnv+"=1")
	require.NoError(t, child.Start())
	deadline := time.Now().Add(2 * time.Minute)
	for {
		cks, _ := backbone.ListCheckpoints(killed)
		if len(cks) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the child run wrote no second checkpoint within 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, child.Process.Kill()) // SIGKILL: no cleanup runs in the child
	_ = child.Wait()
	cks, err := backbone.ListCheckpoints(killed)
	require.NoError(t, err)
	last := cks[len(cks)-1]
	require.NotEqual(t, "ckpt-00000024.pth.tar", filepath.Base(last), "the child was killed before the end")

	require.Equal(t, 0, run(context.Background(), args(killed, "--resume"), io.Discard))

	cfg, _, err := officialcfg.ParsePretrain(cfgPath, []byte(killConfig))
	require.NoError(t, err)
	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	load := func(run string) *pretrain.State {
		cks, err := backbone.ListCheckpoints(run)
		require.NoError(t, err)
		require.Equal(t, "ckpt-00000024.pth.tar", filepath.Base(cks[len(cks)-1]))
		st, _, err := pretrain.LoadCheckpoint(cks[len(cks)-1], model)
		require.NoError(t, err)
		return st
	}
	a, b := load(full), load(killed)
	require.Equal(t, a.Step, b.Step)
	require.Equal(t, a.Encoder, b.Encoder)
	require.Equal(t, a.Predictor, b.Predictor)
	require.Equal(t, a.Target, b.Target)
	require.Equal(t, a.Moments, b.Moments)

	la, err := pretrain.ReadStepLog(filepath.Join(full, "train_log.csv"))
	require.NoError(t, err)
	lb, err := pretrain.ReadStepLog(filepath.Join(killed, "train_log.csv"))
	require.NoError(t, err)
	require.Len(t, lb, len(la), "the resumed log has one row per step")
	for i := range la {
		require.Equal(t, la[i].Loss, lb[i].Loss, "step %d", i+1)
	}
}
