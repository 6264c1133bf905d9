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
	// Attention is the attention algorithm of the encoders and the predictor (zero:
	// backbone.AttentionAuto) and AttentionChunk the queries per chunk of chunked attention
	// (0: automatic). Neither is saved in checkpoints: a run may resume with another.
	Attention      backbone.AttentionMode
	AttentionChunk int
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
	r := &run{cfg: cfg, opts: opts, seed: uint64(cfg.Meta.Seed)}
	if err := r.prepare(); err != nil {
		return nil, err
	}
	if err := r.start(backend); err != nil {
		return nil, err
	}
	defer r.runLog.Close()
	r.res = &Result{Steps: r.pos.Step}
	r.bar = progress.New(opts.Progress, "step", r.totalSteps, progress.Options{})
	var stop func()
	r.nextGroup, stop = iter.Pull2(stepGroups(ctx, r.loader, r.pos.Loader, r.accum))
	defer stop()
	if err := r.loop().Run(ctx); err != nil {
		return r.res, err
	}
	r.bar.Done()
	r.res.SkippedSamples = r.pos.SkipSamples
	r.res.Elapsed = time.Since(start)
	if r.pos.SkipSamples > 0 {
		fmt.Fprintf(opts.Progress, "warning: %d samples failed to load and were replaced\n", r.pos.SkipSamples)
	}
	return r.res, nil
}

// run is one pretraining run: what [Run] resolves from the config and options, the device
// state, and the latest step, which the loop's step and hooks (its methods) share.
type run struct {
	cfg  *officialcfg.PretrainConfig
	opts Options
	seed uint64

	model      backbone.Config
	loader     *datasets.Loader
	accum      int // loader batches per optimiser step (optimization.accum_steps)
	ipe        int // optimiser steps per epoch
	sched      Schedules
	totalSteps int64
	ckptEvery  int64
	sampler    *MaskSampler

	pos       RunPosition
	stepper   *Stepper
	runLog    *RunLog
	bar       *progress.Bar
	nextGroup func() ([]*datasets.Batch, error, bool)
	res       *Result

	// The latest step, for the hooks.
	lastRec   StepRecord
	lastHP    HParams
	lastMicro []Batch
}

// prepare resolves the model, the data, the step counts and the schedules.
func (r *run) prepare() error {
	cfg, opts := r.cfg, r.opts
	var err error
	if r.model, err = backbone.FromPretrainConfig(cfg); err != nil {
		return err
	}
	if err := checkSupported(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	ds, err := OpenData(cfg, r.seed)
	if err != nil {
		return err
	}
	r.loader, err = datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: cfg.Data.BatchSize, Workers: opts.Workers,
		Seed: r.seed, Shuffle: true, DropLast: true, Policy: opts.Policy, Logger: opts.Logger})
	if err != nil {
		return fmt.Errorf("pretraining data: %w", err)
	}
	// Gradient accumulation: every optimiser step takes accum loader batches.
	r.accum = max(cfg.Optimization.AccumSteps, 1)
	if r.loader.StepsPerEpoch() < r.accum {
		return fmt.Errorf("%s: optimization.accum_steps %d but an epoch has only %d batches", cfg.File, r.accum, r.loader.StepsPerEpoch())
	}
	r.ipe = cfg.Optimization.IPE
	if r.ipe <= 0 {
		r.ipe = r.loader.StepsPerEpoch() / r.accum
	}
	o := cfg.Optimization
	r.sched, err = NewSchedules(ScheduleConfig{IPE: r.ipe, Epochs: o.Epochs, IPEScale: o.IPEScale,
		WarmupEpochs: o.Warmup, StartLR: o.StartLR, RefLR: o.LR, FinalLR: o.FinalLR, RefWD: o.WeightDecay,
		FinalWD: o.FinalWeightDecay, EMA: o.EMA, LinearDecay: o.IsAnneal})
	if err != nil {
		return err
	}
	r.totalSteps = int64(r.ipe) * int64(o.Epochs)
	if opts.MaxSteps > 0 && opts.MaxSteps < r.totalSteps {
		r.totalSteps = opts.MaxSteps
	}
	r.ckptEvery = opts.CheckpointEvery
	if r.ckptEvery <= 0 {
		r.ckptEvery = int64(r.ipe)
	}
	return nil
}

// start builds the mask sampler, reads the starting state, uploads it and opens the log.
func (r *run) start(backend compute.Backend) error {
	cfg, opts := r.cfg, r.opts
	batchSize := cfg.Data.BatchSize
	var err error
	if r.sampler, err = newMaskSampler(cfg, r.model, opts, batchSize*r.accum, r.seed); err != nil {
		return err
	}
	st, pos, err := startState(cfg, opts, r.model, r.seed)
	if err != nil {
		return err
	}
	r.pos = pos
	exec, note, err := ResolveExecution(cfg, backend, opts.Precision, opts.GradCheckpointing)
	if err != nil {
		return err
	}
	if note != "" {
		opts.Logger.Warn(note)
	}
	exec.Attention, exec.AttentionChunk = opts.Attention, opts.AttentionChunk
	if err := exec.CheckAttention(backend); err != nil {
		return err
	}
	fmt.Fprintf(opts.Progress, "transformer blocks: %s; weights, optimiser state and loss float32; %d batch(es) of %d per optimiser step\n",
		exec, r.accum, batchSize)
	stepModel := r.model // the model as saved in checkpoints carries no execution settings
	stepModel.Exec = exec
	if r.stepper, err = NewStepper(backend, stepModel, len(cfg.Mask), st); err != nil {
		return err
	}
	r.runLog, err = OpenRunLog(opts.Dir, pos.Step)
	return err
}

// loop is the training loop from the run's position: the step and its hooks.
func (r *run) loop() trainloop.Loop {
	return trainloop.Loop{From: r.pos.Step, To: r.totalSteps, Step: r.step, Hooks: []trainloop.Hook{
		{Every: 1, Run: r.logRow},
		{Every: 1, Run: r.checkFinite},
		{Every: 1, Run: r.showProgress},
		{Every: r.opts.DiagnosticsEvery, Run: r.diagnostics},
		{Every: r.ckptEvery, AtEnd: true, Run: r.checkpoint},
	}}
}

// hparams are the hyper-parameters of step s (1-based, as the official schedulers' step()).
func (r *run) hparams(s int64) HParams {
	hp := HParams{LR: r.sched.LR.LR(s), WeightDecay: r.sched.WD.WD(s), Momentum: r.sched.Momentum.Momentum(s - 1)}
	epoch := int((s - 1) / int64(r.ipe))
	if clip := r.cfg.Optimization.ClipGrad; clip != nil && float64(epoch) > r.cfg.Optimization.Warmup {
		hp.ClipGrad = *clip
	}
	return hp
}

// step takes optimiser step s on the next group of batches.
func (r *run) step(_ context.Context, s int64) error {
	waitStart := time.Now()
	group, err, ok := r.nextGroup()
	if !ok {
		return errors.New("pretraining data: the batches ran out")
	}
	if err != nil {
		return err
	}
	stepStart := time.Now()
	hp := r.hparams(s)
	micro, err := stepBatches(r.sampler, group, r.pos.Step, r.seed)
	if err != nil {
		return err
	}
	stats, err := r.stepper.AccumStep(micro, hp)
	if err != nil {
		return err
	}
	r.pos.Step, r.pos.Loader, r.pos.LastLoss = s, group[len(group)-1].Next, stats.Loss
	r.pos.Epoch = int(s / int64(r.ipe))
	for _, b := range group {
		r.pos.SkipSamples += int64(b.Replaced)
	}
	r.res.Steps, r.res.FinalLoss = s, stats.Loss
	r.lastHP, r.lastMicro = hp, micro
	r.lastRec = StepRecord{Step: s, Epoch: int((s - 1) / int64(r.ipe)), Loss: stats.Loss, LR: hp.LR, WD: hp.WeightDecay,
		Momentum: hp.Momentum, GradNormEnc: stats.GradNormEnc, GradNormPred: stats.GradNormPred,
		StepTimeS: time.Since(stepStart).Seconds(), DataTimeS: stepStart.Sub(waitStart).Seconds()}
	return nil
}

func (r *run) logRow(int64) error { return r.runLog.LogStep(r.lastRec) }

func (r *run) checkFinite(s int64) error {
	if loss := r.lastRec.Loss; math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Errorf("step %d: %w (%g); the last good checkpoint is kept in %s — lower the lr or raise the EMA momentum", s, ErrNonFinite, loss, r.opts.Dir)
	}
	return nil
}

func (r *run) showProgress(s int64) error {
	r.bar.Set(s, fmt.Sprintf("loss %.4f", r.lastRec.Loss))
	return nil
}

func (r *run) diagnostics(s int64) error {
	if err := logDiagnostics(r.stepper, r.lastMicro[0].Clip, s, r.runLog); err != nil {
		r.opts.Logger.Warn("diagnostics", "step", s, "err", err)
	}
	return nil
}

func (r *run) checkpoint(s int64) error {
	path := filepath.Join(r.opts.Dir, backbone.CheckpointName(s))
	if err := SaveCheckpoint(path, r.model, r.stepper.State(), r.pos, r.lastHP); err != nil {
		return err
	}
	r.res.Checkpoint = path
	if err := pruneCheckpoints(r.opts.Dir, r.opts.KeepLast); err != nil {
		return err
	}
	if err := PlotRun(r.opts.Dir); err != nil {
		r.opts.Logger.Warn("plot", "err", err)
	}
	return nil
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
