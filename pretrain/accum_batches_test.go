package pretrain

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
)

// TestStepGroupsCrossEpochs checks the loader batches of successive optimiser steps across
// epoch ends, from fresh and resumed positions: an epoch's leftover batches (fewer than a
// step needs) are dropped and the next step starts the next epoch.
func TestStepGroupsCrossEpochs(t *testing.T) {
	ds, err := synthetic.Builtin("synthetic-motion", synthetic.Config{Seed: 1, TrainSize: 10, Frames: 2, Size: 16})
	require.NoError(t, err)
	loader, err := datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: 3, Workers: 2, Seed: 1, Shuffle: true, DropLast: true})
	require.NoError(t, err)
	require.Equal(t, 3, loader.StepsPerEpoch())
	for _, c := range []struct {
		name  string
		accum int
		from  datasets.State
		want  [][][2]int // the Next (epoch, step) of every batch of the first groups
	}{
		{"fresh", 2, datasets.State{}, [][][2]int{{{0, 1}, {0, 2}}, {{1, 1}, {1, 2}}, {{2, 1}, {2, 2}}}},
		{"resumed before a leftover", 2, datasets.State{Epoch: 0, Step: 2}, [][][2]int{{{1, 1}, {1, 2}}, {{2, 1}, {2, 2}}}},
		{"resumed at an epoch end", 2, datasets.State{Epoch: 0, Step: 3}, [][][2]int{{{1, 1}, {1, 2}}}},
		{"no accumulation", 1, datasets.State{Epoch: 0, Step: 1}, [][][2]int{{{0, 2}}, {{1, 0}}, {{1, 1}}, {{1, 2}}}},
		{"whole epochs", 3, datasets.State{Epoch: 1}, [][][2]int{{{1, 1}, {1, 2}, {2, 0}}, {{2, 1}, {2, 2}, {3, 0}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got [][][2]int
			for group, err := range stepGroups(context.Background(), loader, c.from, c.accum) {
				require.NoError(t, err)
				var next [][2]int
				for _, b := range group {
					next = append(next, [2]int{b.Next.Epoch, b.Next.Step})
				}
				if got = append(got, next); len(got) == len(c.want) {
					break
				}
			}
			assert.Equal(t, c.want, got)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range stepGroups(ctx, loader, datasets.State{}, 2) {
		require.ErrorIs(t, err, context.Canceled)
	}
}
