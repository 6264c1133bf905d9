package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/pretrain"
)

func runPretrain(ctx context.Context, args []string) error {
	fs := newFlagSet("pretrain", "")
	config := fs.String("config", pretrain.DefaultConfigName, "pretraining YAML in the official layout, or a built-in config name")
	out := fs.String("out", "", "run folder for checkpoints and logs (default: the config's logging.folder)")
	resume := fs.Bool("resume", false, "continue from the newest checkpoint in the run folder")
	steps := fs.Int64("steps", 0, "stop after this many steps in total (default: epochs × ipe, as the official run)")
	every := fs.Int64("checkpoint-every", 0, "save a checkpoint every N steps (default: once per epoch) and at the end")
	keep := fs.Int("keep", 3, "checkpoints to keep (0: all)")
	diag := fs.Int64("diagnostics-every", 25, "log the collapse diagnostics every N steps (0: never)")
	masks := fs.String("mask-lengths", "fixed", "fixed: one context/target length per mask config for the whole run (one compiled step); varying: the official per-batch lengths, rounded down to --mask-bucket")
	bucket := fs.Int("mask-bucket", 4, "with --mask-lengths varying: round lengths down to a multiple of N (1: exact official lengths)")
	workers := fs.Int("workers", 2, "data loading workers")
	precision := fs.String("precision", pretrain.PrecisionAuto, "matrix products of the transformer blocks: auto (meta.dtype where the backend does bfloat16 well: XLA on a GPU/TPU; float32 elsewhere), float32 or bfloat16; weights, optimiser state and loss stay float32")
	gradCkpt := fs.Bool("grad-checkpointing", false, "recompute each transformer block's activations in the backward pass (less memory, about one more forward); also model.use_activation_checkpointing")
	var xf executionFlags
	xf.registerAttention(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if !slices.Contains(pretrain.Precisions(), *precision) {
		return fmt.Errorf("--precision: unknown precision %q (valid: %s)", *precision, strings.Join(pretrain.Precisions(), ", "))
	}
	if *masks != "fixed" && *masks != "varying" {
		return fmt.Errorf("--mask-lengths must be fixed or varying, got %q", *masks)
	}
	cfg, warnings, err := pretrain.LoadConfig(*config)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	dir := *out
	if dir == "" {
		dir = cfg.Logging.Folder
	}
	if dir == "" {
		return errors.New("no run folder: set logging.folder in the config or pass --out")
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	attn, err := xf.attentionOnly(backend)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "pretraining %s on %s → %s\n", cfg.File, backend.Name(), dir)
	res, err := pretrain.Run(ctx, backend, cfg, pretrain.Options{Dir: dir, Resume: *resume, MaxSteps: *steps,
		CheckpointEvery: *every, KeepLast: *keep, DiagnosticsEvery: *diag, MaskBucket: *bucket, FixedMasks: *masks == "fixed", Workers: *workers,
		Precision: *precision, GradCheckpointing: *gradCkpt, Attention: attn.Attention, AttentionChunk: attn.AttentionChunk})
	switch {
	case errors.Is(err, pretrain.ErrNoCheckpoint):
		return fmt.Errorf("--resume: %w", err)
	case errors.Is(err, pretrain.ErrRunExists):
		return fmt.Errorf("%w: pass --resume to continue, or --out DIR for a new run", err)
	case err != nil:
		return err
	}
	fmt.Fprintf(os.Stderr, "done: %d steps in %s, final loss %.4f, checkpoint %s\n", res.Steps, res.Elapsed.Round(1e9), res.FinalLoss, res.Checkpoint)
	return nil
}
