package decode

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultTimeout bounds each step of decoding one sample (opening the file, decoding
// its frames) when VideoListOptions.DecodeTimeout is zero.
const DefaultTimeout = 2 * time.Minute

// ErrStalled reports a decoder that gave no result within the decode timeout.
type ErrStalled struct {
	Step    string // "open" or "decode"
	Timeout time.Duration
}

func (e *ErrStalled) Error() string {
	return fmt.Sprintf("decoder stalled: no result from %s after %s", e.Step, e.Timeout)
}

// WithTimeout runs f in its own goroutine with a context cancelled after timeout, and
// returns its result, or an *ErrStalled when it has not returned by then (or ctx's error
// when ctx ends first). A decoder blocked where cancellation cannot reach it (a read from a
// FIFO, a hung file system) is then left behind rather than blocking the loader: release is
// called with its result if it ever returns, to free what it opened.
func WithTimeout[T any](ctx context.Context, timeout time.Duration, step string,
	f func(context.Context) (T, error), release func(T)) (T, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	abandoned := make(chan struct{})
	go func() {
		v, err := f(tctx)
		select {
		case done <- result{v, err}:
		case <-abandoned:
			if err == nil && release != nil {
				release(v)
			}
		}
	}()
	var zero T
	select {
	case r := <-done:
		switch {
		case ctx.Err() != nil:
			if r.err == nil && release != nil {
				release(r.v)
			}
			return zero, ctx.Err()
		case r.err != nil && errors.Is(tctx.Err(), context.DeadlineExceeded):
			return zero, &ErrStalled{Step: step, Timeout: timeout}
		}
		return r.v, r.err
	case <-tctx.Done():
		close(abandoned)
		// The result may have arrived at the same time: prefer it.
		select {
		case r := <-done:
			if ctx.Err() == nil && r.err == nil {
				return r.v, nil
			}
			if r.err == nil && release != nil {
				release(r.v)
			}
		default:
		}
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		return zero, &ErrStalled{Step: step, Timeout: timeout}
	}
}
