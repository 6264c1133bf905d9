package pretrain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/progress"
	"github.com/vjepa-go/vjepa/internal/trainloop"
)

// Options are the settings of a pretraining run that are not part of the official YAML.
type Options struct {
	// Dir is the run folder: checkpoints, train_log.csv, diagnostics.csv, curves.png.
	Dir string
	// Resume continues from the newest checkpoint in Dir (an error if there is none).
	Resume bool
	// MaxSteps stops after this many optimiser steps in total (0: epochs·ipe, as the
	// official run). The schedules still span ipe_scale·epochs·ipe steps.
	MaxSteps int64
	// CheckpointEvery saves a checkpoint every that many steps (0: once per epoch) and at the end.
	CheckpointEvery int64
	// KeepLast keeps that many checkpoints (0: all).
	KeepLast int
	// DiagnosticsEvery logs the collapse diagnostics every that many steps (0: never).
	DiagnosticsEvery int64
	// MaskBucket rounds context and target lengths down to a multiple of it so the compiled
	// step sees few distinct shapes (1: the exact official lengths). Ignored with FixedMasks.
	MaskBucket int
	// FixedMasks gives every batch the same context and target lengths (calibrated once from
	// simulated batches: their 10% quantile), so the step compiles once; see
	// MaskSampler.WithFixedLengths.
	FixedMasks bool
	// Workers decode and transform samples in parallel.
	Workers int
	// Progress receives the progress line; nil means os.Stderr.
	Progress io.Writer
	// Logger receives warnings (skipped samples); nil means slog.Default().
	Logger *slog.Logger
	// Policy for samples that fail to load (default skip).
	Policy datasets.FailurePolicy
	// Precision of the transformer blocks' matrix products: PrecisionAuto ("" too: meta.dtype
	// where the backend does bfloat16 well, else float32), PrecisionFloat32 or
	// PrecisionBFloat16. Weights, optimiser state and loss stay float32.
	Precision string
	// GradCheckpointing recomputes every block's activations in the backward pass (also
	// turned on by model.use_activation_checkpointing).
	GradCheckpointing bool
}

// Result summarises a finished (or stopped) run.
type Result struct {
	Steps          int64
	FinalLoss      float64
	Checkpoint     string
	SkippedSamples int64
	Elapsed        time.Duration
}

// ErrNonFinite is returned when the loss becomes NaN or infinite; the last good checkpoint
// is kept.
var ErrNonFinite = errors.New("loss is not finite")

// Errors of [Run] about the run folder, for front ends to explain with their own options.
var (
	ErrNoCheckpoint = errors.New("no checkpoint")         // Options.Resume with an empty folder
	ErrRunExists    = errors.New("run folder is not new") // a fresh run over old checkpoints
)

// Run pretrains with the official configuration cfg on backend. It is resumable: with
// opts.Resume it continues from the newest checkpoint with the same data order, masks,
// schedules and state, so a killed and resumed run ends with the same weights as an
// uninterrupted one.
func Run(ctx context.Context, backend compute.Backend, cfg *officialcfg.PretrainConfig, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Policy == "" {
		opts.Policy = datasets.PolicySkip
	}
	model, err := backbone.FromPretrainConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkSupported(cfg); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	seed := uint64(cfg.Meta.Seed)

	ds, err := OpenData(cfg, seed)
	if err != nil {
		return nil, err
	}
	batchSize := cfg.Data.BatchSize
	loader, err := datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: batchSize, Workers: opts.Workers,
		Seed: seed, Shuffle: true, DropLast: true, Policy: opts.Policy, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("pretraining data: %w", err)
	}
	// Gradient accumulation: every optimiser step takes accum loader batches.
	accum := max(cfg.Optimization.AccumSteps, 1)
	if loader.StepsPerEpoch() < accum {
		return nil, fmt.Errorf("%s: optimization.accum_steps %d but an epoch has only %d batches", cfg.File, accum, loader.StepsPerEpoch())
	}
	ipe := cfg.Optimization.IPE
	if ipe <= 0 {
		ipe = loader.StepsPerEpoch() / accum
	}
	sched, err := NewSchedules(ScheduleConfig{IPE: ipe, Epochs: cfg.Optimization.Epochs, IPEScale: cfg.Optimization.IPEScale,
		WarmupEpochs: cfg.Optimization.Warmup, StartLR: cfg.Optimization.StartLR, RefLR: cfg.Optimization.LR,
		FinalLR: cfg.Optimization.FinalLR, RefWD: cfg.Optimization.WeightDecay, FinalWD: cfg.Optimization.FinalWeightDecay,
		EMA: cfg.Optimization.EMA, LinearDecay: cfg.Optimization.IsAnneal})
	if err != nil {
		return nil, err
	}
	totalSteps := int64(ipe) * int64(cfg.Optimization.Epochs)
	if opts.MaxSteps > 0 && opts.MaxSteps < totalSteps {
		totalSteps = opts.MaxSteps
	}
	ckptEvery := opts.CheckpointEvery
	if ckptEvery <= 0 {
		ckptEvery = int64(ipe)
	}

	sampler, err := newMaskSampler(cfg, model, opts, batchSize*accum, seed)
	if err != nil {
		return nil, err
	}
	st, pos, err := startState(cfg, opts, model, seed)
	if err != nil {
		return nil, err
	}
	exec, note, err := ResolveExecution(cfg, backend, opts.Precision, opts.GradCheckpointing)
	if err != nil {
		return nil, err
	}
	if note != "" {
		opts.Logger.Warn(note)
	}
	fmt.Fprintf(opts.Progress, "transformer blocks: %s; weights, optimiser state and loss float32; %d batch(es) of %d per optimiser step\n",
		exec, accum, batchSize)
	stepModel := model // the model as saved in checkpoints carries no execution settings
	stepModel.Exec = exec
	stepper, err := NewStepper(backend, stepModel, len(cfg.Mask), st)
	if err != nil {
		return nil, err
	}
	runLog, err := OpenRunLog(opts.Dir, pos.Step)
	if err != nil {
		return nil, err
	}
	defer runLog.Close()

	res := &Result{Steps: pos.Step}
	bar := progress.New(opts.Progress, "step", totalSteps, progress.Options{})
	nextGroup, stop := iter.Pull2(stepGroups(ctx, loader, pos.Loader, accum))
	defer stop()
	var last struct { // the latest step, for the hooks
		rec   StepRecord
		hp    HParams
		micro []Batch
	}
	step := func(_ context.Context, s int64) error { // s is 1-based, as the official schedulers' step()
		waitStart := time.Now()
		group, err, ok := nextGroup()
		if !ok {
			return errors.New("pretraining data: the batches ran out")
		}
		if err != nil {
			return err
		}
		stepStart := time.Now()
		hp := HParams{LR: sched.LR.LR(s), WeightDecay: sched.WD.WD(s), Momentum: sched.Momentum.Momentum(s - 1)}
		epoch := int((s - 1) / int64(ipe))
		if cfg.Optimization.ClipGrad != nil && float64(epoch) > cfg.Optimization.Warmup {
			hp.ClipGrad = *cfg.Optimization.ClipGrad
		}
		micro, err := stepBatches(sampler, group, pos.Step, seed)
		if err != nil {
			return err
		}
		stats, err := stepper.AccumStep(micro, hp)
		if err != nil {
			return err
		}
		pos.Step, pos.Loader, pos.LastLoss = s, group[len(group)-1].Next, stats.Loss
		pos.Epoch = int(s / int64(ipe))
		for _, b := range group {
			pos.SkipSamples += int64(b.Replaced)
		}
		res.Steps, res.FinalLoss = s, stats.Loss
		last.hp, last.micro = hp, micro
		last.rec = StepRecord{Step: s, Epoch: epoch, Loss: stats.Loss, LR: hp.LR, WD: hp.WeightDecay,
			Momentum: hp.Momentum, GradNormEnc: stats.GradNormEnc, GradNormPred: stats.GradNormPred,
			StepTimeS: time.Since(stepStart).Seconds(), DataTimeS: stepStart.Sub(waitStart).Seconds()}
		return nil
	}
	logRow := func(int64) error { return runLog.LogStep(last.rec) }
	checkFinite := func(s int64) error {
		if loss := last.rec.Loss; math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("step %d: %w (%g); the last good checkpoint is kept in %s — lower the lr or raise the EMA momentum", s, ErrNonFinite, loss, opts.Dir)
		}
		return nil
	}
	showProgress := func(s int64) error {
		bar.Set(s, fmt.Sprintf("loss %.4f", last.rec.Loss))
		return nil
	}
	diagnostics := func(s int64) error {
		if err := logDiagnostics(stepper, last.micro[0].Clip, s, runLog); err != nil {
			opts.Logger.Warn("diagnostics", "step", s, "err", err)
		}
		return nil
	}
	checkpoint := func(s int64) error {
		path := filepath.Join(opts.Dir, backbone.CheckpointName(s))
		if err := SaveCheckpoint(path, model, stepper.State(), pos, last.hp); err != nil {
			return err
		}
		res.Checkpoint = path
		if err := pruneCheckpoints(opts.Dir, opts.KeepLast); err != nil {
			return err
		}
		if err := PlotRun(opts.Dir); err != nil {
			opts.Logger.Warn("plot", "err", err)
		}
		return nil
	}
	loop := trainloop.Loop{From: pos.Step, To: totalSteps, Step: step, Hooks: []trainloop.Hook{
		{Every: 1, Run: logRow},
		{Every: 1, Run: checkFinite},
		{Every: 1, Run: showProgress},
		{Every: opts.DiagnosticsEvery, Run: diagnostics},
		{Every: ckptEvery, AtEnd: true, Run: checkpoint},
	}}
	if err := loop.Run(ctx); err != nil {
		return res, err
	}
	bar.Done()
	res.SkippedSamples = pos.SkipSamples
	res.Elapsed = time.Since(start)
	if pos.SkipSamples > 0 {
		fmt.Fprintf(opts.Progress, "warning: %d samples failed to load and were replaced\n", pos.SkipSamples)
	}
	return res, nil
}

// newMaskSampler returns the sampler of the configured masks, its lengths fixed for the run
// with opts.FixedMasks (calibrated on optimiser steps of clips clips).
func newMaskSampler(cfg *officialcfg.PretrainConfig, model backbone.Config, opts Options, clips int, seed uint64) (*MaskSampler, error) {
	tg, hg, wg := model.Grid()
	var maskCfgs []MaskConfig
	for _, m := range cfg.Mask {
		mc := MaskConfig{AspectRatio: m.AspectRatio, NumBlocks: m.NumBlocks, SpatialScale: m.SpatialScale,
			TemporalScale: m.TemporalScale, MaxTemporalKeep: m.MaxTemporalKeep}
		if m.MaxKeep != nil {
			mc.MaxKeep = *m.MaxKeep
		}
		maskCfgs = append(maskCfgs, mc)
	}
	sampler, err := NewMaskSampler(tg, hg, wg, maskCfgs, opts.MaskBucket)
	if err != nil {
		return nil, err
	}
	if !opts.FixedMasks {
		return sampler, nil
	}
	lengths, err := sampler.CalibrateLengths(clips, 200, 0.1, 4, seed)
	if err != nil {
		return nil, err
	}
	if sampler, err = sampler.WithFixedLengths(lengths); err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Progress, "mask lengths (context, target) per configuration, fixed for the run: %v of %d tokens\n", lengths, sampler.NumTokens())
	return sampler, nil
}

// startState returns the state and position a run starts from: the newest checkpoint in
// opts.Dir with opts.Resume; else the cooldown's anneal_ckpt (schedules and masks from step
// 0) or a fresh initialisation.
func startState(cfg *officialcfg.PretrainConfig, opts Options, model backbone.Config, seed uint64) (*State, RunPosition, error) {
	pos := RunPosition{
		Seed: seed, BatchSize: cfg.Data.BatchSize, LR: cfg.Optimization.LR,
		ConfigName: cfg.File, ConfigText: string(cfg.Source), Data: cfg.Data.Datasets,
	}
	cks, err := backbone.ListCheckpoints(opts.Dir)
	switch {
	case opts.Resume && err != nil:
		return nil, pos, err
	case opts.Resume && len(cks) == 0:
		return nil, pos, fmt.Errorf("%w: nothing to resume in %s", ErrNoCheckpoint, opts.Dir)
	case opts.Resume:
		latest := cks[len(cks)-1]
		st, resumed, err := LoadCheckpoint(latest, model)
		if err != nil {
			return nil, resumed, err
		}
		if resumed.Seed != seed {
			return nil, resumed, fmt.Errorf("%s was written with seed %d, the config says %d", latest, resumed.Seed, seed)
		}
		fmt.Fprintf(opts.Progress, "resuming from %s (step %d)\n", latest, resumed.Step)
		return st, resumed, nil
	case len(cks) > 0:
		return nil, pos, fmt.Errorf("%w: %s already holds checkpoints (resume them, or choose another folder)", ErrRunExists, opts.Dir)
	case cfg.Optimization.IsAnneal:
		// V-JEPA 2 cooldown: weights, EMA target and AdamW state of anneal_ckpt, schedules
		// and masks from step 0 (vjepa2:app/vjepa/utils.py load_checkpoint, is_anneal).
		st, _, err := LoadCheckpoint(cfg.Optimization.AnnealCkpt, model)
		if err != nil {
			return nil, pos, fmt.Errorf("%s: optimization.anneal_ckpt: %w", cfg.File, err)
		}
		fmt.Fprintf(opts.Progress, "cooldown from %s\n", cfg.Optimization.AnnealCkpt)
		return st, pos, nil
	}
	st, err := InitState(model, seed)
	return st, pos, err
}

// logDiagnostics computes the collapse diagnostics of the target encoder's features on clip.
func logDiagnostics(s *Stepper, clip backbone.HostTensor, step int64, log *RunLog) error {
	h, err := s.TargetFeatures(clip)
	if err != nil {
		return err
	}
	b, n, d := h.Shape[0], h.Shape[0]*h.Shape[1], h.Shape[2]
	posShare := math.NaN()
	if b >= 2 {
		if posShare, err = PositionShare(h.F32, b, h.Shape[1], d); err != nil {
			return err
		}
	}
	x, n := SubsampleRows(h.F32, n, d, 2048)
	diag, err := ComputeDiagnostics(x, n, d)
	if err != nil {
		return err
	}
	return log.LogDiagnostics(DiagnosticsRecord{Step: step, FeatureStd: diag.FeatureStd, EffectiveRank: diag.EffectiveRank, PositionShare: posShare})
}

// InitState returns a freshly initialised model: encoder and predictor as the official
// init_video_model leaves them, the target encoder a copy of the encoder, zero moments.
func InitState(c backbone.Config, seed uint64) (*State, error) {
	rng := rand.New(rand.NewPCG(seed, 0x696e6974))
	enc, err := backbone.InitEncoder(c, rng)
	if err != nil {
		return nil, err
	}
	pred, err := backbone.InitPredictor(c, rng)
	if err != nil {
		return nil, err
	}
	return &State{Encoder: enc, Predictor: pred, Target: enc.Clone(), Moments: map[string][2][]float32{}}, nil
}

// checkSupported rejects configuration values this implementation does not implement, so
// they are never silently ignored.
func checkSupported(cfg *officialcfg.PretrainConfig) error {
	switch {
	case cfg.Loss.RegCoeff != 0:
		return fmt.Errorf("%s: loss.reg_coeff %g: the variance regulariser is not implemented (all official configs use 0)", cfg.File, cfg.Loss.RegCoeff)
	case cfg.Loss.LossExp != 1:
		return fmt.Errorf("%s: loss.loss_exp %g: only the L1 loss (1.0) is implemented", cfg.File, cfg.Loss.LossExp)
	case cfg.Data.MaskType != "" && cfg.Data.MaskType != "multiblock3d":
		return fmt.Errorf("%s: data.mask_type %q: only multiblock3d is implemented", cfg.File, cfg.Data.MaskType)
	case cfg.Data.NumClips > 1:
		return fmt.Errorf("%s: data.num_clips %d: pretraining uses one clip per video", cfg.File, cfg.Data.NumClips)
	case cfg.Data.BatchSize < 1:
		return fmt.Errorf("%s: data.batch_size must be positive", cfg.File)
	case cfg.Optimization.Epochs < 1:
		return fmt.Errorf("%s: optimization.epochs must be positive", cfg.File)
	case cfg.Optimization.AccumSteps < 1:
		return fmt.Errorf("%s: optimization.accum_steps %d must be at least 1", cfg.File, cfg.Optimization.AccumSteps)
	case cfg.Optimization.IsAnneal && cfg.Optimization.AnnealCkpt == "":
		return fmt.Errorf("%s: optimization.is_anneal needs optimization.anneal_ckpt, the checkpoint the cooldown starts from", cfg.File)
	}
	// V-JEPA 2: one clip length per dataset. With equal lengths (every official config) the
	// multi-sequence collator is the single-sequence one; mixing lengths is not implemented.
	for i, f := range cfg.Data.DatasetFPCs {
		if f != cfg.Data.DatasetFPCs[0] {
			return fmt.Errorf("%s: data.dataset_fpcs.%d is %d but data.dataset_fpcs.0 is %d: clips of different lengths in one run are not implemented", cfg.File, i, f, cfg.Data.DatasetFPCs[0])
		}
	}
	for i, m := range cfg.Mask {
		if m.FullComplement {
			return fmt.Errorf("%s: mask.%d.full_complement: true is not implemented (every official pretraining config uses false)", cfg.File, i)
		}
	}
	return nil
}
