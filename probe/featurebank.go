package probe

import (
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// FeatureBank is a [TrainSource] over E independently augmented passes of the training set,
// extracted once into the feature cache: epoch k trains on pass k mod E, in the epoch's own
// shuffled order. With E equal to the epochs the probe sees as many augmented views of each
// clip as the official protocol, which encodes fresh ones every epoch, while the encoder runs
// E times over the training set instead of once per epoch of every probe run; smaller E
// reuses views. One pass is held in memory at a time.
type FeatureBank struct {
	cache   FeatureCache
	passes  []partPlan
	current int
	set     *FeatureSet
}

// Passes is the number of augmented passes E.
func (b *FeatureBank) Passes() int { return len(b.passes) }

// Len is the number of training clips.
func (b *FeatureBank) Len() int { return b.passes[0].Samples }

// Epoch yields the batches of pass epoch mod E in the epoch's shuffled order.
func (b *FeatureBank) Epoch(ctx context.Context, epoch, batchSize int, seed uint64) iter.Seq2[TrainBatch, error] {
	return func(yield func(TrainBatch, error) bool) {
		pass := epoch % len(b.passes)
		if b.set == nil || b.current != pass {
			b.set = nil // release the previous pass before reading the next
			fs, err := b.cache.loadParts(b.passes[pass])
			if err != nil {
				yield(TrainBatch{}, fmt.Errorf("feature bank pass %d: %w", pass, err))
				return
			}
			b.set, b.current = fs, pass
		}
		for tb, err := range b.set.Epoch(ctx, epoch, batchSize, seed) {
			if !yield(tb, err) || err != nil {
				return
			}
		}
	}
}

// bankExtractions lists the extractions of the E passes of the augmented training split ds:
// pass p draws every clip's augmentation from (fseed, p, index), as an on-the-fly epoch p with
// probe seed fseed would.
func (e *Experiment) bankExtractions(enc *Encoder, ds datasets.Dataset, info BackboneInfo, data DataSpec, fseed uint64) []partExtraction {
	var out []partExtraction
	for p := range e.Extraction.FeaturePasses {
		key := e.featureKey(info, data, fseed, fmt.Sprintf("train, augmented pass %d", p), ds)
		out = append(out, e.extraction(enc, ds, key,
			fmt.Sprintf("%s train feature bank (%s), pass %d/%d", e.Dataset, info.Init, p+1, e.Extraction.FeaturePasses), fseed, p))
	}
	e.printBankSize(e.Progress, ds.Len(), len(out))
	return out
}

// featureBank extracts (or finds in the cache) the passes of the training split's feature
// bank.
func (e *Experiment) featureBank(ctx context.Context, enc *Encoder, ds datasets.Dataset, info BackboneInfo, data DataSpec, fseed uint64) (*FeatureBank, error) {
	bank := &FeatureBank{cache: e.Cache}
	for _, x := range e.bankExtractions(enc, ds, info, data, fseed) {
		plan, _, err := e.completeParts(ctx, x)
		if err != nil {
			return nil, err
		}
		bank.passes = append(bank.passes, plan)
	}
	return bank, nil
}

// BankPassBytes is the disk size of one feature-bank pass of n clips: per clip every token
// of every segment at the model's width, in dtype (float32 or float16).
func BankPassBytes(m backbone.Config, p Protocol, n int, dtype string) int64 {
	m.NumFrames, m.CropSize = p.FramesPerClip, p.Resolution
	item := int64(4)
	if dtype == FeatureFloat16 {
		item = 2
	}
	return int64(n) * int64(p.NumSegments*m.NumTokens()*m.EmbedDim) * item
}

// printBankSize tells, before any extraction, what the bank will take on disk.
func (e *Experiment) printBankSize(w io.Writer, n, passes int) {
	if w == nil {
		return
	}
	per := BankPassBytes(e.Model, e.Data.Protocol, n, e.Extraction.dtype())
	plural := "es"
	if passes == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "%s train feature bank: %d augmented pass%s × %d clips (%s): %s per pass, %s in all, in %s\n",
		e.Dataset, passes, plural, n, e.Extraction.dtype(), formatBytes(per), formatBytes(per*int64(passes)), e.Cache.Dir)
}

// formatBytes writes n in B, kB, MB, GB or TB (powers of 1000).
func formatBytes(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	f, u := float64(n), 0
	for f >= 1000 && u < len(units)-1 {
		f /= 1000
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}
