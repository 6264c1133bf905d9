package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
)

// method is how a probe type turns frozen features into a result: the trained probes fit a
// model with AdamW, k-NN votes without training. Each [Kind] names its method in
// [kindRegistry], so the experiment never branches on the type.
type method interface {
	// regimes lists the few-label regimes the experiment evaluates this way (labelled
	// clips per class, 0 = all labels), or says why it cannot.
	regimes(e *Experiment) ([]int, error)
	// run evaluates one slot with one seed into tr (its outcome and probe details).
	run(ctx context.Context, r trialRun, tr *trial) error
}

// trialRun is what one slot's evaluation with one seed reads.
type trialRun struct {
	e       *Experiment
	backend compute.Backend
	sl      slot
	seed    uint64
	nSeeds  int
	sf      *sharedFeatures
}

// trainedMethod trains a probe model on the features (or evaluates a saved one).
type trainedMethod struct{}

func (trainedMethod) regimes(*Experiment) ([]int, error) { return []int{0}, nil }

func (trainedMethod) run(ctx context.Context, r trialRun, tr *trial) error {
	e, sl, sf := r.e, r.sl, r.sf
	m := e.ProbeModel(sl.kind, sf.val.NumClasses)
	if e.Data.NumClasses > 0 {
		m.NumClasses = e.Data.NumClasses
	}
	tr.probe.NumHeads = m.NumHeads
	if len(e.Sweep) > 0 {
		tr.probe.Warmup = e.Sweep[0].WarmupEpochs
	}
	if e.EvalOnly != "" {
		out, err := evalSaved(r.backend, e.EvalOnly, m, sf.val, e.BatchSize)
		if err != nil {
			return err
		}
		tr.out, tr.probe.Checkpoint = out, e.EvalOnly
		return nil
	}
	name := fmt.Sprintf("%s-%s-%s.pth.tar", e.Dataset, sl.init, sl.kind)
	if r.nSeeds > 1 {
		name = fmt.Sprintf("%s-%s-%s-seed%d.pth.tar", e.Dataset, sl.init, sl.kind, r.seed)
	}
	ckpt := filepath.Join(e.OutDir, name)
	if err := os.MkdirAll(e.OutDir, 0o755); err != nil {
		return err
	}
	train, val, err := poolFirst(r, m)
	if err != nil {
		return err
	}
	out, err := TrainAndEvaluate(ctx, r.backend, train, val, TrainOptions{Model: m, Training: e.Training, Seed: r.seed,
		CheckpointPath: ckpt, Resume: e.Resume, Progress: e.Progress})
	if err != nil {
		return err
	}
	tr.out, tr.probe.Checkpoint = out, ckpt
	return nil
}

// poolFirst returns the features a trained probe of model m reads: for a probe that averages
// the tokens first (avgpool-linear) on cached features, the averages, computed once per
// shared features (see [meanTokens]); otherwise the shared features as they are.
func poolFirst(r trialRun, m Model) (TrainSource, *FeatureSet, error) {
	sf := r.sf
	train, ok := sf.train.(*FeatureSet)
	if m.Kind.traits().pooler || !ok {
		return sf.train, sf.val, nil
	}
	if sf.meanTrain == nil {
		meanTrain, err := meanTokens(r.backend, train, r.e.BatchSize)
		if err != nil {
			return nil, nil, err
		}
		meanVal, err := meanTokens(r.backend, sf.val, r.e.BatchSize)
		if err != nil {
			return nil, nil, err
		}
		sf.meanTrain, sf.meanVal = meanTrain, meanVal
	}
	return sf.meanTrain, sf.meanVal, nil
}

// knnMethod is the training-free k-NN evaluation ([KNNEvaluate]) on the cached training
// features, with all labels and in each few-label regime of the experiment.
type knnMethod struct{}

func (knnMethod) regimes(e *Experiment) ([]int, error) {
	if e.Data.Augment {
		return nil, errors.New("the knn probe reads cached features of un-augmented clips, so it cannot run with training augmentation")
	}
	if e.EvalOnly != "" {
		return nil, errors.New("the knn probe has no saved probe to evaluate: leave it out when evaluating a saved probe")
	}
	out := []int{0}
	for _, n := range e.KNNLabelsPerClass {
		if n < 1 {
			return nil, fmt.Errorf("k-NN labels per class must be positive, got %d", n)
		}
		out = append(out, n)
	}
	return out, nil
}

func (knnMethod) run(_ context.Context, r trialRun, tr *trial) error {
	s := r.e.KNN
	if s == (KNNSettings{}) {
		s = DefaultKNN()
	}
	tr.probe.Epochs, tr.probe.BatchSize, tr.probe.NumHeads, tr.probe.KNN = 0, 0, 0, &s
	train, n := r.sf.trainCache, r.sl.labelsPerClass
	out, err := KNNEvaluate(train, r.sf.val, s, n, r.seed)
	if err != nil {
		return err
	}
	tr.out = out
	if n > 0 {
		// The record's NumTrain is the labelled subset.
		k := len(FewLabelSubset(train.Labels, max(train.NumClasses, r.sf.val.NumClasses), n, r.seed))
		tr.train = &FeatureSet{Labels: make([]int32, k)}
	}
	return nil
}
