package probe

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/datasets"
)

// Extraction says how an experiment's frozen features are extracted into its feature cache:
// by which shard, whether the probes then run, and how training augmentation is banked.
type Extraction struct {
	// Shard restricts the extraction to one slice of every split (zero: every part).
	Shard Shard
	// Only extracts the features (the shard's parts) and trains no probe.
	Only bool
	// FeaturePasses, with training augmentation, extracts that many independently augmented
	// passes of the training set once (a feature bank) and trains epoch k on pass k mod E
	// (0: augment and encode the clips anew every epoch).
	FeaturePasses int
	// DType stores the cached features as float32 (default) or float16.
	DType string
}

// Validate reports settings that cannot work together.
func (x Extraction) Validate(cacheDir string, augment bool) error {
	sharded := x.Shard != (Shard{})
	switch {
	case sharded && x.Shard.Validate() != nil:
		return x.Shard.Validate()
	case sharded && !x.Only:
		return fmt.Errorf("shard %s extracts only part of the features: add --extract-only, then run the probes without --shard", x.Shard)
	case (x.Only || sharded || x.FeaturePasses > 0) && cacheDir == "":
		return errors.New("extracting into the feature cache needs --feature-cache DIR")
	case x.FeaturePasses < 0:
		return fmt.Errorf("feature passes %d: want 0 (augment on the fly) or more", x.FeaturePasses)
	case x.FeaturePasses > 0 && !augment:
		return fmt.Errorf("feature passes %d bank augmented training clips, but this run has no training augmentation (--augment)", x.FeaturePasses)
	case x.DType != "" && x.DType != FeatureFloat32 && x.DType != FeatureFloat16:
		return fmt.Errorf("feature dtype %q: want %s or %s", x.DType, FeatureFloat32, FeatureFloat16)
	}
	return nil
}

// dtype is the storage type, float32 unless set.
func (x Extraction) dtype() string {
	if x.DType == "" {
		return FeatureFloat32
	}
	return x.DType
}

// extraction prepares the part-wise extraction of ds under the cache key key; seed and pass
// are the loader's (pass 0 for an un-augmented split).
func (e *Experiment) extraction(enc *Encoder, ds datasets.Dataset, key, what string, seed uint64, pass int) partExtraction {
	dtype := e.Extraction.dtype()
	if dtype != FeatureFloat32 {
		key = e.Cache.Key(key, dtype) // float16 features are other values than float32 ones
	}
	return partExtraction{cache: e.Cache, enc: enc, data: ds, seed: seed, pass: pass, workers: e.Workers, progress: e.Progress,
		plan: partPlan{Key: key, What: what, Samples: ds.Len(), BatchSize: e.extractBatch(), Shards: 1, DType: dtype,
			NumClasses: ds.NumClasses(), ClassNames: classNames(ds)}}
}

// completeParts makes sure every part of x is in the cache and returns the plan they were
// made with and how many parts it encoded. A whole extraction (killed or new) is continued
// here; the parts of a sharded one are left to its shards, and an incomplete one is an
// [ErrIncompleteCache] naming them.
func (e *Experiment) completeParts(ctx context.Context, x partExtraction) (partPlan, int, error) {
	have, err := x.adoptPlan()
	if err != nil {
		return partPlan{}, 0, err
	}
	switch {
	case have == nil:
		if err := x.cache.writePlan(x.plan); err != nil {
			return partPlan{}, 0, err
		}
	case have.Shards > 1:
		if missing := x.cache.missingParts(*have); len(missing) > 0 {
			return partPlan{}, 0, x.cache.incomplete(*have, missing)
		}
		return *have, 0, nil
	}
	n, err := x.run(ctx, Shard{})
	return x.plan, n, err
}

// adoptPlan reads the plan of x's key, if any extraction of it has started, and takes its
// batch size: the first extraction fixes the parts (its batch may have been planned for
// another device's memory), so every later shard encodes exactly the same batches.
func (x *partExtraction) adoptPlan() (*partPlan, error) {
	have, err := x.cache.readPlan(x.plan.Key)
	if err != nil || have == nil {
		return nil, err
	}
	if have.Samples != x.plan.Samples || have.DType != x.plan.DType {
		return nil, fmt.Errorf("%s in %s was extracted as %d samples in %s, this run asks for %d in %s: use the same data and --feature-dtype, or a new --feature-cache",
			x.plan.What, filepath.Join(x.cache.Dir, x.plan.Key), have.Samples, have.DType, x.plan.Samples, x.plan.DType)
	}
	x.plan.BatchSize = have.BatchSize
	return have, nil
}

// cachedFeatures returns the features of x: from the cache's parts, encoding the missing
// ones first (see completeParts); without a cache folder they are encoded in memory.
func (e *Experiment) cachedFeatures(ctx context.Context, x partExtraction) (*FeatureSet, error) {
	if x.cache.Dir == "" {
		return Extract(ctx, x.enc, x.data, x.plan.BatchSize, x.workers, x.seed, x.progress, x.plan.What)
	}
	plan, encoded, err := e.completeParts(ctx, x)
	if err != nil {
		return nil, err
	}
	fs, err := x.cache.loadParts(plan)
	if err == nil && encoded == 0 && x.progress != nil {
		fmt.Fprintf(x.progress, "%s: %d from the cache %s\n", plan.What, fs.Len(), filepath.Join(x.cache.Dir, plan.Key))
	}
	return fs, err
}

// extractShard encodes the experiment's shard of x into the cache, resuming after the parts
// already there. The first shard to start writes the plan; later ones must agree with it.
func (e *Experiment) extractShard(ctx context.Context, x partExtraction) error {
	shard := e.Extraction.Shard.orWhole()
	have, err := x.adoptPlan()
	if err != nil {
		return err
	}
	switch {
	case have != nil && e.Extraction.Shard == (Shard{}):
		x.plan = *have // a whole extraction fills the missing parts of any shard
	case have != nil && have.Shards != shard.Count:
		return fmt.Errorf("%s in %s is split into %d shards, not %d: use --shard I/%d (or a new --feature-cache)",
			x.plan.What, filepath.Join(x.cache.Dir, x.plan.Key), have.Shards, shard.Count, have.Shards)
	default:
		x.plan.Shards = shard.Count
		if err := x.cache.writePlan(x.plan); err != nil {
			return err
		}
	}
	n, err := x.run(ctx, shard)
	if err == nil && n == 0 && x.progress != nil {
		fmt.Fprintf(x.progress, "%s, shard %s: already in the cache %s\n", x.plan.What, shard, filepath.Join(x.cache.Dir, x.plan.Key))
	}
	return err
}

// extractOnly encodes the experiment's shard of every split (val, and train or its feature
// bank) for every backbone and feature seed into the cache, and trains no probe.
func (e *Experiment) extractOnly(ctx context.Context, backend compute.Backend) error {
	done := map[uint64]bool{}
	pretrained := map[string]builtEncoder{}
	for _, seed := range e.seedList() {
		fseed := e.featureSeed(seed)
		if done[fseed] {
			continue
		}
		done[fseed] = true
		data := e.Data
		data.Seed = fseed
		trainDS, err := openSplit(data, true)
		if err != nil {
			return err
		}
		valDS, err := openSplit(data, false)
		if err != nil {
			return err
		}
		for _, init := range e.initList() {
			enc, info, err := e.encoderFor(backend, pretrained, init, fseed)
			if err != nil {
				return err
			}
			if err := e.extractShard(ctx, e.extraction(enc, valDS, e.featureKey(info, data, fseed, "val", valDS),
				fmt.Sprintf("%s val features (%s)", e.Dataset, init), fseed, 0)); err != nil {
				return err
			}
			switch {
			case e.Data.Augment && e.Extraction.FeaturePasses > 0:
				for _, x := range e.bankExtractions(enc, trainDS, info, data, fseed) {
					if err := e.extractShard(ctx, x); err != nil {
						return err
					}
				}
			case !e.Data.Augment:
				if err := e.extractShard(ctx, e.extraction(enc, trainDS, e.featureKey(info, data, fseed, "train", trainDS),
					fmt.Sprintf("%s train features (%s)", e.Dataset, init), fseed, 0)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// initList is the backbone inits the experiment probes.
func (e *Experiment) initList() []string {
	switch {
	case e.Checkpoint == "":
		return []string{InitRandom}
	case e.CompareRandom:
		return []string{InitPretrained, InitRandom}
	}
	return []string{InitPretrained}
}

// builtEncoder is a compiled frozen encoder and the backbone it was built from.
type builtEncoder struct {
	enc  *Encoder
	info BackboneInfo
}

// encoderFor builds init's frozen encoder for feature seed fseed. The pretrained one does
// not depend on the seed: its checkpoint is read (and hashed) and compiled once, then kept in
// pretrained.
func (e *Experiment) encoderFor(backend compute.Backend, pretrained map[string]builtEncoder, init string, fseed uint64) (*Encoder, BackboneInfo, error) {
	if b, ok := pretrained[init]; ok {
		return b.enc, b.info, nil
	}
	params, info, err := e.backboneParams(init, fseed)
	if err != nil {
		return nil, info, err
	}
	enc, err := NewEncoder(backend, e.Model, params)
	if err == nil && init == InitPretrained {
		pretrained[init] = builtEncoder{enc: enc, info: info}
	}
	return enc, info, err
}
