package probe

import (
	"context"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/datasets"
)

// slot is one (backbone init, probe type, few-label regime) of an experiment: one record.
type slot struct {
	init           string
	kind           Kind
	labelsPerClass int
}

func (s slot) label() string {
	return ProbeInfo{Type: string(s.kind), LabelsPerClass: s.labelsPerClass}.Label()
}

// trial is one seed's outcome of a slot.
type trial struct {
	seed  uint64
	out   *Outcome
	probe ProbeInfo
	info  BackboneInfo
	train TrainSource
	val   *FeatureSet
	wall  time.Duration
}

// sharedFeatures are one backbone's frozen features, shared by every probe type and seed
// that can use them.
type sharedFeatures struct {
	fseed      uint64
	enc        *Encoder
	info       BackboneInfo
	train      TrainSource
	val        *FeatureSet
	trainCache *FeatureSet // train as cached features (nil when augmented)
	// meanTrain and meanVal are the cached train and val features with the tokens averaged
	// ([meanTokens]), made on first use and shared by every seed that reuses these features.
	meanTrain, meanVal *FeatureSet
}

// seedList is Seed, Seed+1, … (Seeds of them, at least one).
func (e *Experiment) seedList() []uint64 {
	out := make([]uint64, max(e.Seeds, 1))
	for i := range out {
		out[i] = e.Seed + uint64(i)
	}
	return out
}

// builtinData reports whether the data is a built-in set, whose clips the seed draws.
func (e *Experiment) builtinData() bool {
	return isRendered(e.Data.Train)
}

// featureSeed is the seed the frozen features depend on for probe seed s: the built-in sets
// draw new clips (and a random-init backbone new weights) per seed; for other data the
// features are fixed (seed 0) and shared by all probe seeds.
func (e *Experiment) featureSeed(s uint64) uint64 {
	if e.builtinData() {
		return s
	}
	return 0
}

// slots lists the records the experiment writes, in order.
func (e *Experiment) slots(inits []string) ([]slot, error) {
	var out []slot
	for _, init := range inits {
		for _, kind := range e.Probes {
			if _, err := ParseKind(string(kind)); err != nil {
				return nil, err
			}
			regimes, err := kind.traits().method.regimes(e)
			if err != nil {
				return nil, err
			}
			for _, n := range regimes {
				out = append(out, slot{init: init, kind: kind, labelsPerClass: n})
			}
		}
	}
	return out, nil
}

// sharedFeatures returns init's features for feature seed fseed, reusing those of the
// previous seed when they are the same (only the probe seed changed).
func (e *Experiment) sharedFeatures(ctx context.Context, backend compute.Backend, memo map[string]*sharedFeatures, init string, fseed uint64, data DataSpec, trainDS, valDS datasets.Dataset) (*sharedFeatures, error) {
	prev, ok := memo[init]
	if ok && prev.fseed == fseed {
		return prev, nil
	}
	var enc *Encoder
	var info BackboneInfo
	if ok && init == InitPretrained {
		// The checkpoint does not depend on the seed: keep its compiled encoder.
		enc, info = prev.enc, prev.info
	} else {
		params, bi, err := e.backboneParams(init, fseed)
		if err != nil {
			return nil, err
		}
		if enc, err = NewEncoder(backend, e.Model, params); err != nil {
			return nil, err
		}
		info = bi
	}
	delete(memo, init)
	var err error
	sf := &sharedFeatures{fseed: fseed, info: info, enc: enc}
	if sf.val, err = e.features(ctx, enc, valDS, info, data, fseed, "val"); err != nil {
		return nil, err
	}
	switch {
	case e.EvalOnly != "":
		sf.train = &FeatureSet{}
	case e.Data.Augment && e.Extraction.FeaturePasses > 0:
		if sf.train, err = e.featureBank(ctx, enc, trainDS, info, data, fseed); err != nil {
			return nil, err
		}
	case e.Data.Augment:
		// Augmented clips change every epoch: the backbone runs inside the training loop.
		sf.train = &AugmentedSource{Encoder: enc, Data: trainDS, Workers: e.Workers}
	default:
		if sf.trainCache, err = e.features(ctx, enc, trainDS, info, data, fseed, "train"); err != nil {
			return nil, err
		}
		sf.train = sf.trainCache
	}
	memo[init] = sf
	return sf, nil
}

// runTrial evaluates one slot's probe with seed, the way its type's method does.
func (e *Experiment) runTrial(ctx context.Context, backend compute.Backend, sl slot, seed uint64, nSeeds int, sf *sharedFeatures) (*trial, error) {
	tr := &trial{seed: seed, info: sf.info, train: sf.train, val: sf.val,
		probe: ProbeInfo{Type: string(sl.kind), Epochs: e.Epochs, BatchSize: e.BatchSize, NumHeads: e.Model.NumHeads,
			Seed: seed, TrainAugmentation: e.Data.Augment && e.EvalOnly == "", LabelsPerClass: sl.labelsPerClass,
			FeaturePasses: e.Extraction.FeaturePasses}}
	run := trialRun{e: e, backend: backend, sl: sl, seed: seed, nSeeds: nSeeds, sf: sf}
	if err := sl.kind.traits().method.run(ctx, run, tr); err != nil {
		return nil, err
	}
	return tr, nil
}

// evalSaved evaluates a saved probe checkpoint on val.
func evalSaved(backend compute.Backend, path string, m Model, val *FeatureSet, batchSize int) (*Outcome, error) {
	ck, err := LoadCheckpoint(path, m)
	if err != nil {
		return nil, err
	}
	tr, err := NewTrainer(backend, TrainerOptions{Model: m, SweepSize: len(ck.Heads)}, ck.Heads)
	if err != nil {
		return nil, err
	}
	ev, err := evaluate(tr, val, batchSize)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	for i := range ev {
		out.Heads = append(out.Heads, HeadResult{Top1: ev[i].top1, Top5: ev[i].top5, Curve: ck.Curves[i]})
	}
	out.Best = bestHead(out.Heads)
	out.PerClassAcc, out.Confusion = ev[out.Best].perClass, ev[out.Best].confusion
	return out, nil
}

// aggregate turns each slot's trials into one record: the first seed's details, every
// seed's accuracy, their mean ± std, and for a pretrained backbone the paired difference to
// the random-init one probed the same way.
func (e *Experiment) aggregate(slots []slot, trials [][]trial, backend string) ([]*Record, error) {
	records := make([]*Record, len(slots))
	for i := range slots {
		ts := trials[i]
		first := ts[0]
		var wall time.Duration
		var seeds []SeedResult
		for _, t := range ts {
			best := t.out.Heads[t.out.Best]
			seeds = append(seeds, SeedResult{Seed: t.seed, Top1: best.Top1, Top5: best.Top5, BestHead: t.out.Best,
				Checkpoint: t.probe.Checkpoint})
			wall += t.wall
		}
		r := NewRecord(e.Dataset, first.info, e.Data.Protocol, first.probe, first.train, first.val, first.out, wall, backend)
		r.Seeds, r.SeedStats = seeds, NewSeedStats(seeds)
		r.Top1, r.Top5 = r.SeedStats.Top1Mean, r.SeedStats.Top5Mean
		records[i] = r
	}
	for i, sl := range slots {
		if sl.init != InitPretrained {
			continue
		}
		for j, other := range slots {
			if other.init == InitRandom && other.kind == sl.kind && other.labelsPerClass == sl.labelsPerClass {
				d, err := PairTop1(records[i], records[j])
				if err != nil {
					return nil, err
				}
				records[i].VsRandom = d
			}
		}
	}
	return records, nil
}
