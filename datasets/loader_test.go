package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// fakeDataset returns 2 views x 3 segments of 2x2x2 clips whose values encode the index
// and a draw from the sample's rng; indices in fail return a SampleError.
type fakeDataset struct {
	n     int
	fail  map[int]bool
	delay time.Duration
}

func (d *fakeDataset) Len() int        { return d.n }
func (d *fakeDataset) NumClasses() int { return 10 }
func (d *fakeDataset) Sample(ctx context.Context, i int, rng *rand.Rand) (*media.Sample, error) {
	if d.delay > 0 {
		select {
		case <-time.After(time.Duration(rng.IntN(int(d.delay)))):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if d.fail[i] {
		return nil, &SampleError{Index: i, Source: fmt.Sprint("f", i), Err: errors.New("broken")}
	}
	r := rng.Float32()
	views := make([][]media.Clip, 2)
	for v := range views {
		for s := range 3 {
			c := media.Clip{T: 2, H: 2, W: 2, Data: make([]float32, 24)}
			for k := range c.Data {
				c.Data[k] = float32(i*1000+v*100+s*10) + r
			}
			views[v] = append(views[v], c)
		}
	}
	return &media.Sample{Views: views, Label: i % 10, Source: fmt.Sprint("f", i)}, nil
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func collect(t *testing.T, l *Loader, from State) []*Batch {
	t.Helper()
	var out []*Batch
	for b, err := range l.Epoch(context.Background(), from) {
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

func TestLoaderDeterministicAcrossWorkers(t *testing.T) {
	ds := &fakeDataset{n: 23, delay: 2 * time.Millisecond}
	var ref []*Batch
	for _, wp := range [][2]int{{1, 1}, {4, 3}, {7, 1}} {
		l, err := NewLoader(ds, LoaderOptions{BatchSize: 5, Workers: wp[0], Prefetch: wp[1], Seed: 42, Shuffle: true})
		require.NoError(t, err)
		got := collect(t, l, State{Epoch: 3})
		if ref == nil {
			ref = got
			continue
		}
		assert.Equal(t, ref, got, "workers %d prefetch %d", wp[0], wp[1])
	}
	require.Len(t, ref, 5)
	assert.Equal(t, 3, ref[4].Size())
	assert.Equal(t, State{Epoch: 4}, ref[4].Next)
	assert.Equal(t, State{Epoch: 3, Step: 1}, ref[0].Next)
	// The batch layout is [B, 3, T, H, W] per (view, segment), samples one after the other.
	b := ref[0]
	require.Len(t, b.Clips, 2)
	require.Len(t, b.Clips[1], 3)
	assert.Equal(t, []int{5, 3, 2, 2, 2}, b.Clips[1][2].Shape)
	assert.Equal(t, float32(b.Indices[1]*1000+120), float32(int(b.Clips[1][2].F32[24])))
	assert.Equal(t, int32(b.Indices[1]%10), b.Labels[1])
}

func TestLoaderShuffleAndResume(t *testing.T) {
	ds := &fakeDataset{n: 20}
	l, err := NewLoader(ds, LoaderOptions{BatchSize: 4, Seed: 7, Shuffle: true, DropLast: true, Workers: 3})
	require.NoError(t, err)
	assert.Equal(t, 5, l.StepsPerEpoch())
	e0, e1 := l.Order(0), l.Order(1)
	assert.NotEqual(t, e0, e1)
	assert.ElementsMatch(t, e0, e1)

	full := collect(t, l, State{Epoch: 1})
	resumed := collect(t, l, full[1].Next)
	assert.Equal(t, full[2:], resumed)
	var seen []int
	for _, b := range full {
		seen = append(seen, b.Indices...)
	}
	assert.Equal(t, e1, seen)
	assert.Empty(t, collect(t, l, State{Epoch: 1, Step: 5}))
	for _, err := range l.Epoch(context.Background(), State{Epoch: 1, Step: 6}) {
		assert.Error(t, err)
	}
}

func TestLoaderDropLast(t *testing.T) {
	ds := &fakeDataset{n: 10}
	l, err := NewLoader(ds, LoaderOptions{BatchSize: 4, DropLast: true})
	require.NoError(t, err)
	got := collect(t, l, State{})
	require.Len(t, got, 2)
	assert.Equal(t, []int{4, 5, 6, 7}, got[1].Indices)
	_, err = NewLoader(ds, LoaderOptions{BatchSize: 11, DropLast: true})
	assert.Error(t, err)
}

func TestLoaderFailurePolicy(t *testing.T) {
	ds := &fakeDataset{n: 12, fail: map[int]bool{3: true, 8: true}}
	// error: the run stops with the sample's error.
	l, err := NewLoader(ds, LoaderOptions{BatchSize: 4, Policy: PolicyError})
	require.NoError(t, err)
	var gotErr error
	for _, err := range l.Epoch(context.Background(), State{}) {
		if err != nil {
			gotErr = err
		}
	}
	require.Error(t, gotErr)
	assert.Contains(t, gotErr.Error(), "f3: broken")

	// skip: deterministic replacement, counted.
	run := func(workers int) ([]*Batch, int64) {
		l, err := NewLoader(ds, LoaderOptions{BatchSize: 4, Policy: PolicySkip, Seed: 1, Workers: workers,
			Logger: quietLogger()})
		require.NoError(t, err)
		return collect(t, l, State{}), l.Skipped()
	}
	a, skippedA := run(1)
	b, _ := run(5)
	assert.Equal(t, a, b)
	assert.GreaterOrEqual(t, skippedA, int64(2))
	replaced := 0
	for _, bt := range a {
		replaced += bt.Replaced
		for _, i := range bt.Indices {
			assert.False(t, ds.fail[i])
		}
	}
	assert.Equal(t, 2, replaced)

	// Everything failing stops after MaxReplacements.
	all := &fakeDataset{n: 3, fail: map[int]bool{0: true, 1: true, 2: true}}
	l, err = NewLoader(all, LoaderOptions{BatchSize: 1, Policy: PolicySkip, MaxReplacements: 5, Logger: quietLogger()})
	require.NoError(t, err)
	for _, err := range l.Epoch(context.Background(), State{}) {
		require.Error(t, err)
		assert.Contains(t, err.Error(), "5 replacements")
	}
}

func TestLoaderCancel(t *testing.T) {
	ds := &fakeDataset{n: 100, delay: 5 * time.Millisecond}
	l, err := NewLoader(ds, LoaderOptions{BatchSize: 2, Workers: 3})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range l.Epoch(ctx, State{}) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	assert.ErrorIs(t, last, context.Canceled)
	// Breaking out early returns cleanly.
	for b, err := range l.Epoch(context.Background(), State{}) {
		require.NoError(t, err)
		require.NotNil(t, b)
		break
	}
}

func TestSampleRNGIndependence(t *testing.T) {
	a := SampleRNG(1, 0, 5, 0).Uint64()
	assert.Equal(t, a, SampleRNG(1, 0, 5, 0).Uint64())
	assert.NotEqual(t, a, SampleRNG(2, 0, 5, 0).Uint64())
	assert.NotEqual(t, a, SampleRNG(1, 1, 5, 0).Uint64())
	assert.NotEqual(t, a, SampleRNG(1, 0, 6, 0).Uint64())
	assert.NotEqual(t, a, SampleRNG(1, 0, 5, 1).Uint64())
}
