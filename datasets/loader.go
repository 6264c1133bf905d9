package datasets

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// State is a position of a Loader: the next batch is batch Step of epoch Epoch. Saving it
// with a checkpoint and passing it back to Loader.Epoch resumes the same data order as an
// uninterrupted run.
type State struct {
	Epoch int `json:"epoch"`
	Step  int `json:"step"`
}

// LoaderOptions configures a Loader.
type LoaderOptions struct {
	// BatchSize is the number of samples per batch.
	BatchSize int
	// Workers is the number of samples loaded in parallel (default 2).
	Workers int
	// Prefetch is the number of batches being loaded ahead of the consumer (default 2): with
	// the batch handed out, at most Prefetch+1 batches are in memory.
	Prefetch int
	// Seed makes the run deterministic: the epoch order and every sample's random stream
	// derive from (Seed, epoch, index) only.
	Seed uint64
	// Shuffle draws a new sample order each epoch.
	Shuffle bool
	// DropLast drops the last, incomplete batch of an epoch.
	DropLast bool
	// Policy handles samples that fail to load; empty means PolicyError.
	Policy FailurePolicy
	// MaxReplacements bounds the replacements tried for one failed sample under PolicySkip
	// (default 100) before the run stops.
	MaxReplacements int
	// Logger receives a warning for every skipped sample; nil means slog.Default().
	Logger *slog.Logger
}

// Loader reads a Dataset in batches with parallel workers, deterministically given its
// seed.
type Loader struct {
	ds      Dataset
	opts    LoaderOptions
	skipped atomic.Int64
}

// NewLoader checks opts and returns a Loader over ds.
func NewLoader(ds Dataset, opts LoaderOptions) (*Loader, error) {
	if ds.Len() == 0 {
		return nil, errors.New("loader: empty data set")
	}
	if opts.BatchSize < 1 {
		return nil, fmt.Errorf("loader: batch size %d < 1", opts.BatchSize)
	}
	if opts.DropLast && ds.Len() < opts.BatchSize {
		return nil, fmt.Errorf("loader: %d samples make no full batch of %d", ds.Len(), opts.BatchSize)
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Prefetch <= 0 {
		opts.Prefetch = 2
	}
	if opts.Policy == "" {
		opts.Policy = PolicyError
	}
	if err := opts.Policy.Set(string(opts.Policy)); err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	if opts.MaxReplacements <= 0 {
		opts.MaxReplacements = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Loader{ds: ds, opts: opts}, nil
}

// StepsPerEpoch is the number of batches of one epoch.
func (l *Loader) StepsPerEpoch() int {
	n, b := l.ds.Len(), l.opts.BatchSize
	if l.opts.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Skipped is the number of samples replaced after a failure since the Loader was made (the
// count to report in a run's summary).
func (l *Loader) Skipped() int64 { return l.skipped.Load() }

// Order returns the sample order of an epoch.
func (l *Loader) Order(epoch int) []int {
	return epochOrder(l.ds.Len(), l.opts.Seed, epoch, l.opts.Shuffle)
}

// pending is a batch being loaded.
type pending struct {
	step    int
	samples []*media.Sample
	indices []int
	errs    []error
	swapped []bool
	left    atomic.Int32
	done    chan struct{}
}

type job struct {
	p    *pending
	slot int
	idx  int
}

// Epoch yields the batches of epoch from.Epoch starting at batch from.Step. It stops at the
// end of the epoch, at the first error (a cancelled ctx, or a failed sample under
// PolicyError), or when the consumer stops; no goroutine outlives the iteration.
func (l *Loader) Epoch(ctx context.Context, from State) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		steps := l.StepsPerEpoch()
		if from.Step < 0 || from.Step > steps || from.Epoch < 0 {
			yield(nil, fmt.Errorf("loader: invalid position %+v (epoch has %d steps)", from, steps))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		order := l.Order(from.Epoch)
		jobs := make(chan job)
		queue := make(chan *pending, l.opts.Prefetch)
		tokens := make(chan struct{}, l.opts.Prefetch)

		wg.Add(1)
		go func() { // dispatcher
			defer wg.Done()
			defer close(jobs)
			defer close(queue)
			for step := from.Step; step < steps; step++ {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				lo := step * l.opts.BatchSize
				hi := min(lo+l.opts.BatchSize, len(order))
				p := &pending{step: step, samples: make([]*media.Sample, hi-lo), indices: make([]int, hi-lo),
					errs: make([]error, hi-lo), swapped: make([]bool, hi-lo), done: make(chan struct{})}
				p.left.Store(int32(hi - lo))
				queue <- p // cannot block: at most Prefetch batches hold tokens
				for slot := range hi - lo {
					select {
					case jobs <- job{p: p, slot: slot, idx: order[lo+slot]}:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
		for range l.opts.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					s, idx, err := l.load(ctx, from.Epoch, j.idx)
					j.p.samples[j.slot], j.p.indices[j.slot], j.p.errs[j.slot] = s, idx, err
					j.p.swapped[j.slot] = idx != j.idx
					if j.p.left.Add(-1) == 0 {
						close(j.p.done)
					}
				}
			}()
		}

		for p := range queue {
			select {
			case <-p.done:
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			}
			<-tokens
			b, err := l.finish(p)
			if err != nil {
				yield(nil, err)
				return
			}
			b.Next = State{Epoch: from.Epoch, Step: p.step + 1}
			if p.step+1 == steps {
				b.Next = State{Epoch: from.Epoch + 1}
			}
			if !yield(b, nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// finish checks the errors of a loaded batch and assembles it.
func (l *Loader) finish(p *pending) (*Batch, error) {
	for _, err := range p.errs {
		if err != nil {
			return nil, err
		}
	}
	b, err := assembleBatch(p.samples, p.indices)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	for _, sw := range p.swapped {
		if sw {
			b.Replaced++
		}
	}
	return b, nil
}
