package probe

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/optim"
	"github.com/vjepa-go/vjepa/internal/progress"
	"github.com/vjepa-go/vjepa/internal/trainloop"
)

// HeadConfig is one probe head's optimisation schedule (one entry of a sweep).
type HeadConfig struct {
	LR, StartLR, FinalLR float64
	WeightDecay, FinalWD float64
	WarmupEpochs         float64
}

// Training is how probes train, resolved once from the eval config, the flags and the
// defaults ([NewExperiment]) and passed down whole.
type Training struct {
	// Sweep is the hyper-parameter sweep: one probe head per entry, trained together on the
	// same batches (the official multi-head evaluation). Its heads are probes, not attention
	// heads ([Model.NumHeads]).
	Sweep     []HeadConfig
	Epochs    int
	BatchSize int
	// ClipGrad clips each head's gradient norm (1.0 in the V-JEPA evaluations; 0 disables).
	ClipGrad float64
}

// TrainOptions configure the training of probe heads on frozen features.
type TrainOptions struct {
	Model Model
	Training
	Seed uint64
	// CheckpointPath, when set, receives the probe after every epoch (atomically), and a
	// run with Resume continues from it.
	CheckpointPath string
	Resume         bool
	// StopAfter ends the session after that many epochs (0: run to Epochs); the schedules
	// still span Epochs, so a later Resume continues exactly where it stopped.
	StopAfter int
	Progress  io.Writer
}

// Outcome is the result of training and evaluating a set of heads.
type Outcome struct {
	Heads       []HeadResult
	Best        int
	PerClassAcc []float64
	Confusion   [][]int
	Params      []backbone.HostParams
}

// TrainAndEvaluate trains the heads on the training batches of train (cached features, or
// clips augmented and encoded anew every epoch) and evaluates them on the val features after
// every epoch (softmax averaged over the spatial views), as the official frozen evaluations
// report the last epoch's validation accuracy.
func TrainAndEvaluate(ctx context.Context, backend compute.Backend, train TrainSource, val *FeatureSet, opts TrainOptions) (*Outcome, error) {
	if train.Len() == 0 || val.Len() == 0 {
		return nil, fmt.Errorf("probe: empty train (%d) or val (%d) features", train.Len(), val.Len())
	}
	r, err := newProbeRun(backend, train, val, opts)
	if err != nil {
		return nil, err
	}
	startEpoch, err := resumeTrainer(opts, r.tr, r.out)
	if err != nil {
		return nil, err
	}
	r.step = r.tr.StepCount()
	loop := trainloop.Loop{From: int64(startEpoch), To: int64(opts.Epochs), Step: r.trainEpoch, Hooks: []trainloop.Hook{
		{Every: 1, Run: r.validate},
		{Every: 1, Run: r.checkpoint},
		{Every: 1, Run: r.stopAfter},
	}}
	if err := loop.Run(ctx); err != nil {
		return nil, err
	}
	return r.finish()
}

// probeRun is the training of one sweep of probe heads: the trainer, the schedules, the
// outcome it fills, and the latest epoch's training statistics, which the loop's step and
// hooks (its methods) share.
type probeRun struct {
	opts    TrainOptions
	train   TrainSource
	val     *FeatureSet
	tr      *Trainer
	lrs     []optim.WarmupCosineSchedule // per head
	wds     []optim.CosineWDSchedule     // per head
	out     *Outcome
	step    int64     // optimiser steps taken
	sumLoss []float64 // per head, over the latest epoch
	correct []int     // per head, over the latest epoch
	// lastEval is the validation of the heads as they are now (nil after a training step):
	// the final evaluation reuses the last epoch's rather than running it again.
	lastEval []evalResult
}

// newProbeRun initialises the heads (from opts.Seed) and their schedules.
func newProbeRun(backend compute.Backend, train TrainSource, val *FeatureSet, opts TrainOptions) (*probeRun, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x68656164))
	init := make([]backbone.HostParams, len(opts.Sweep))
	for i := range init {
		init[i] = opts.Model.Init(rng)
	}
	tr, err := NewTrainer(backend, TrainerOptions{Model: opts.Model, SweepSize: len(opts.Sweep), ClipGrad: opts.ClipGrad}, init)
	if err != nil {
		return nil, err
	}
	r := &probeRun{opts: opts, train: train, val: val, tr: tr, out: &Outcome{Heads: make([]HeadResult, len(opts.Sweep))}}
	ipe := (train.Len() + opts.BatchSize - 1) / opts.BatchSize
	total := int64(ipe * opts.Epochs)
	for i, h := range opts.Sweep {
		r.lrs = append(r.lrs, optim.WarmupCosineSchedule{StartLR: h.StartLR, RefLR: h.LR, FinalLR: h.FinalLR, WarmupSteps: int64(h.WarmupEpochs * float64(ipe)), TMax: total})
		r.wds = append(r.wds, optim.CosineWDSchedule{RefWD: h.WeightDecay, FinalWD: h.FinalWD, TMax: total})
		r.out.Heads[i] = HeadResult{LR: h.LR, StartLR: h.StartLR, FinalLR: h.FinalLR, WeightDecay: h.WeightDecay, FinalWD: h.FinalWD}
	}
	return r, nil
}

// trainEpoch trains every head for epoch (1-based).
func (r *probeRun) trainEpoch(ctx context.Context, epoch int64) error {
	opts := r.opts
	bar := progress.New(opts.Progress, fmt.Sprintf("probe epoch %d/%d", epoch, opts.Epochs), int64(r.train.Len()), progress.Options{Unit: "clips/s"})
	r.sumLoss, r.correct = make([]float64, len(opts.Sweep)), make([]int, len(opts.Sweep))
	for b, err := range r.train.Epoch(ctx, int(epoch-1), opts.BatchSize, opts.Seed) {
		if err != nil {
			return err
		}
		r.step++
		hp := make([]HParams, len(opts.Sweep))
		for i := range hp {
			hp[i] = HParams{LR: r.lrs[i].LR(r.step), WeightDecay: r.wds[i].WD(r.step)}
		}
		n := len(b.Labels)
		stats, err := r.tr.Step(b.X, b.Labels, hp)
		if err != nil {
			return err
		}
		r.lastEval = nil
		for i, s := range stats {
			if math.IsNaN(s.Loss) {
				return fmt.Errorf("probe head %d: loss is NaN at epoch %d (lr %g)", i, epoch, hp[i].LR)
			}
			r.sumLoss[i] += s.Loss * float64(n)
			r.correct[i] += s.Correct
		}
		bar.Add(n)
	}
	bar.Done()
	return nil
}

// validate records the val accuracy after epoch, for the curves and the progress line.
func (r *probeRun) validate(epoch int64) error {
	ev, err := evaluate(r.tr, r.val, r.opts.BatchSize)
	if err != nil {
		return err
	}
	r.lastEval = ev
	n := float64(r.train.Len())
	for i := range r.out.Heads {
		r.out.Heads[i].Curve = append(r.out.Heads[i].Curve, EpochPoint{Epoch: int(epoch),
			TrainLoss: r.sumLoss[i] / n, TrainTop1: 100 * float64(r.correct[i]) / n, ValTop1: ev[i].top1})
		r.out.Heads[i].Top1, r.out.Heads[i].Top5 = ev[i].top1, ev[i].top5
	}
	if r.opts.Progress != nil {
		best := bestHead(r.out.Heads)
		fmt.Fprintf(r.opts.Progress, "epoch %d: val top-1 %.2f%% (best of %d heads: lr %g wd %g)\n", epoch,
			r.out.Heads[best].Top1, len(r.out.Heads), r.out.Heads[best].LR, r.out.Heads[best].WeightDecay)
	}
	return nil
}

func (r *probeRun) checkpoint(epoch int64) error {
	if r.opts.CheckpointPath == "" {
		return nil
	}
	return saveTrainer(r.opts.CheckpointPath, r.tr, r.out, int(epoch))
}

func (r *probeRun) stopAfter(epoch int64) error {
	if r.opts.StopAfter > 0 && epoch >= int64(r.opts.StopAfter) {
		return trainloop.ErrStop
	}
	return nil
}

// finish evaluates the trained heads and completes the outcome with the best head's details
// and every head's parameters.
func (r *probeRun) finish() (*Outcome, error) {
	ev := r.lastEval
	if ev == nil { // resumed past the last epoch, or stopped before validating
		var err error
		if ev, err = evaluate(r.tr, r.val, r.opts.BatchSize); err != nil {
			return nil, err
		}
	}
	out := r.out
	out.Best = bestHead(out.Heads)
	out.PerClassAcc, out.Confusion = ev[out.Best].perClass, ev[out.Best].confusion
	for i := range r.opts.Sweep {
		out.Params = append(out.Params, r.tr.Params(i))
	}
	return out, nil
}

func progressOr(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

func bestHead(heads []HeadResult) int {
	best := 0
	for i, h := range heads {
		if h.Top1 > heads[best].Top1 {
			best = i
		}
	}
	return best
}

type evalResult struct {
	top1, top5 float64
	perClass   []float64
	confusion  [][]int
}

// evaluate returns each head's accuracy on fs, averaging the softmax over the views.
func evaluate(tr *Trainer, fs *FeatureSet, batchSize int) ([]evalResult, error) {
	nh, c := tr.SweepSize(), fs.NumClasses
	res := make([]evalResult, nh)
	hit1, hit5 := make([]int, nh), make([]int, nh)
	for i := range res {
		res[i].confusion = make([][]int, c)
		for k := range res[i].confusion {
			res[i].confusion[k] = make([]int, c)
		}
	}
	order := make([]int, fs.Len())
	for i := range order {
		order[i] = i
	}
	for idx := range batches(order, batchSize) {
		avg := make([][]float64, nh)
		for h := range avg {
			avg[h] = make([]float64, len(idx)*c)
		}
		var labels []int32
		for v := 0; v < fs.Views; v++ {
			x, l := fs.Batch(idx, v)
			labels = l
			probs, err := tr.Probs(x)
			if err != nil {
				return nil, err
			}
			for h := range probs {
				for j, p := range probs[h] {
					avg[h][j] += float64(p) / float64(fs.Views)
				}
			}
		}
		for h := 0; h < nh; h++ {
			for s := range idx {
				row := avg[h][s*c : (s+1)*c]
				label := int(labels[s])
				rank, argmax := rankOf(row, label)
				if rank == 0 {
					hit1[h]++
				}
				if rank < 5 {
					hit5[h]++
				}
				res[h].confusion[label][argmax]++
			}
		}
	}
	n := float64(fs.Len())
	for h := range res {
		res[h].top1, res[h].top5 = 100*float64(hit1[h])/n, 100*float64(hit5[h])/n
		res[h].perClass = make([]float64, c)
		for k := 0; k < c; k++ {
			total := 0
			for _, x := range res[h].confusion[k] {
				total += x
			}
			if total > 0 {
				res[h].perClass[k] = 100 * float64(res[h].confusion[k][k]) / float64(total)
			}
		}
	}
	return res, nil
}
