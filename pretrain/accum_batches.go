package pretrain

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// stepBatches turns the loader batches of optimiser step `step` (0-based) into the
// micro-batches of Stepper.AccumStep. The masks are drawn once for all their clips together,
// as for one batch of that size (block sizes from the step counter, positions from a
// generator seeded by (seed, step), so that a resumed run draws the same masks), then cut
// into the micro-batches' rows: every micro-batch gets the same context and target lengths,
// and k accumulated micro-batches see exactly the masks of one k-times-larger batch. With
// one loader batch this is the official per-batch draw.
func stepBatches(sampler *MaskSampler, group []*datasets.Batch, step int64, seed uint64) ([]Batch, error) {
	total := 0
	for _, b := range group {
		total += b.Size()
	}
	masks, err := sampler.Sample(step, total, rand.New(rand.NewPCG(seed, uint64(step))))
	if err != nil {
		return nil, err
	}
	flatCtx, flatTgt := make([][]int64, len(masks)), make([][]int64, len(masks))
	for i, m := range masks {
		flatCtx[i], flatTgt[i] = m.FlatContext(), m.FlatTarget()
	}
	out := make([]Batch, 0, len(group))
	row := 0
	for _, b := range group {
		n := b.Size()
		clip := b.Clips[0][0]
		if clip.Shape[0] != n {
			return nil, fmt.Errorf("loader batch of %d samples has a clip tensor of %d", n, clip.Shape[0])
		}
		in := Batch{Clip: clip}
		for i, m := range masks {
			kc, kp := m.Kc(), m.Kp()
			in.Context = append(in.Context, backbone.HostTensor{Shape: []int{n, kc}, I64: flatCtx[i][row*kc : (row+n)*kc]})
			in.Target = append(in.Target, backbone.HostTensor{Shape: []int{n, kp}, I64: flatTgt[i][row*kp : (row+n)*kp]})
		}
		out = append(out, in)
		row += n
	}
	return out, nil
}

// stepGroups yields the loader batches of successive optimiser steps, accum at a time, from
// position from on, epoch after epoch; it ends only with an error. The batches left at the
// end of an epoch that are fewer than a step needs are dropped, like an incomplete last
// batch, and the next group starts the next epoch.
func stepGroups(ctx context.Context, loader *datasets.Loader, from datasets.State, accum int) iter.Seq2[[]*datasets.Batch, error] {
	return func(yield func([]*datasets.Batch, error) bool) {
		for at := from; ; at = (datasets.State{Epoch: at.Epoch + 1}) {
			var group []*datasets.Batch
			for batch, err := range loader.Epoch(ctx, at) {
				if err != nil {
					yield(nil, err)
					return
				}
				if group = append(group, batch); len(group) < accum {
					continue
				}
				if !yield(group, nil) {
					return
				}
				group = nil
			}
		}
	}
}
