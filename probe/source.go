package probe

import (
	"context"
	"fmt"
	"iter"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// TrainBatch is one batch of frozen features with their labels.
type TrainBatch struct {
	X      backbone.HostTensor // [B, tokens, dim]
	Labels []int32
}

// TrainSource supplies the training batches of each probe epoch. A source must give the same
// batches for the same (epoch, batch size, seed), so that a resumed probe run equals an
// uninterrupted one.
type TrainSource interface {
	// Len is the number of training samples of one epoch.
	Len() int
	// Epoch yields the batches of epoch (0-based) in training order.
	Epoch(ctx context.Context, epoch, batchSize int, seed uint64) iter.Seq2[TrainBatch, error]
}

// Epoch yields the cached features in the epoch's shuffled order (view 0: training clips
// have a single view).
func (f *FeatureSet) Epoch(ctx context.Context, epoch, batchSize int, seed uint64) iter.Seq2[TrainBatch, error] {
	return func(yield func(TrainBatch, error) bool) {
		for idx := range batches(epochOrder(f.Len(), seed, epoch), batchSize) {
			if err := ctx.Err(); err != nil {
				yield(TrainBatch{}, err)
				return
			}
			x, labels := f.Batch(idx, 0)
			if !yield(TrainBatch{X: x, Labels: labels}, nil) {
				return
			}
		}
	}
}

// AugmentedSource runs the frozen encoder on freshly augmented training clips every epoch,
// as the official frozen evaluations do (RandAugment, random resized crop and random erasing
// for video; AutoAugment for images): nothing can be cached, so every epoch costs a full
// backbone pass over the training set. The sample order and every clip's augmentation
// derive from (seed, epoch, index) only (see [datasets.Loader]).
type AugmentedSource struct {
	Encoder *Encoder
	// Data is the training split opened with the augmenting transform and one view.
	Data    datasets.Dataset
	Workers int
}

// Len is the number of training clips.
func (s *AugmentedSource) Len() int { return s.Data.Len() }

// Epoch loads, augments and encodes the clips of epoch in a shuffled order.
func (s *AugmentedSource) Epoch(ctx context.Context, epoch, batchSize int, seed uint64) iter.Seq2[TrainBatch, error] {
	return func(yield func(TrainBatch, error) bool) {
		loader, err := datasets.NewLoader(s.Data, datasets.LoaderOptions{BatchSize: batchSize, Workers: s.Workers,
			Seed: seed, Shuffle: true, Policy: datasets.PolicyError})
		if err != nil {
			yield(TrainBatch{}, fmt.Errorf("augmented probe training: %w", err))
			return
		}
		for batch, err := range loader.Epoch(ctx, datasets.State{Epoch: epoch}) {
			if err != nil {
				yield(TrainBatch{}, fmt.Errorf("augmented probe training, epoch %d: %w", epoch+1, err))
				return
			}
			views, err := s.Encoder.Features(batch)
			if err != nil {
				yield(TrainBatch{}, fmt.Errorf("augmented probe training, epoch %d: %w", epoch+1, err))
				return
			}
			if len(views) != 1 {
				yield(TrainBatch{}, fmt.Errorf("augmented probe training: %d views per training clip, want 1", len(views)))
				return
			}
			if !yield(TrainBatch{X: views[0], Labels: batch.Labels}, nil) {
				return
			}
		}
	}
}
