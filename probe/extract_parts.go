package probe

import (
	"context"
	"fmt"
	"io"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/progress"
)

// partExtraction is the extraction of one split (or one augmented pass of the training
// split) into the feature cache, part by part.
type partExtraction struct {
	cache FeatureCache
	plan  partPlan
	enc   *Encoder
	data  datasets.Dataset
	// seed and pass are the loader's seed and epoch: the clips' random streams (the
	// augmentation of a feature-bank pass) derive from (seed, pass, index) only, never from
	// the shard, so every shard draws the same augmentations as a whole extraction.
	seed     uint64
	pass     int
	workers  int
	progress io.Writer
}

// run encodes the missing parts of shard's range, saving each part atomically as soon as it
// is encoded, so that a killed run resumes at the first part it had not saved. It returns
// the number of parts it encoded.
func (x partExtraction) run(ctx context.Context, shard Shard) (int, error) {
	lo, hi := shard.Parts(x.plan.parts())
	var todo []int
	samples := 0
	for _, j := range x.cache.missingParts(x.plan) {
		if j >= lo && j < hi {
			todo = append(todo, j)
			samples += min((j+1)*x.plan.BatchSize, x.plan.Samples) - j*x.plan.BatchSize
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	what := x.plan.What
	if shard.Count > 1 {
		what = fmt.Sprintf("%s, shard %s", what, shard)
	}
	loader, err := datasets.NewLoader(x.data, datasets.LoaderOptions{BatchSize: x.plan.BatchSize, Workers: x.workers,
		Seed: x.seed, Policy: datasets.PolicyError})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	bar := progress.New(x.progress, what, int64(samples), progress.Options{Unit: "clips/s"})
	for _, r := range contiguousRuns(todo) {
		if err := x.encodeRun(ctx, loader, r, bar); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
	}
	bar.Done()
	return len(todo), nil
}

// encodeRun encodes and saves the parts [r.lo, r.hi), one loader batch each.
func (x partExtraction) encodeRun(ctx context.Context, loader *datasets.Loader, r partRun, bar *progress.Bar) error {
	part := r.lo
	for batch, err := range loader.Epoch(ctx, datasets.State{Epoch: x.pass, Step: r.lo}) {
		if err != nil {
			return err
		}
		views, err := x.enc.Features(batch)
		if err != nil {
			return err
		}
		if err := x.cache.writePart(x.plan, part, views, batch.Labels); err != nil {
			return err
		}
		bar.Add(batch.Size())
		if part++; part == r.hi {
			return nil
		}
	}
	return nil
}

// partRun is a range [lo, hi) of consecutive parts.
type partRun struct{ lo, hi int }

// contiguousRuns groups sorted part numbers into runs of consecutive ones.
func contiguousRuns(parts []int) []partRun {
	var out []partRun
	for _, j := range parts {
		if n := len(out); n > 0 && out[n-1].hi == j {
			out[n-1].hi++
			continue
		}
		out = append(out, partRun{lo: j, hi: j + 1})
	}
	return out
}
