package trainloop_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/trainloop"
)

// recorder logs the calls of a loop's step and hooks.
type recorder struct{ calls []string }

func (r *recorder) step(_ context.Context, step int64) error {
	r.calls = append(r.calls, fmt.Sprint("step ", step))
	return nil
}

func (r *recorder) hook(name string) func(int64) error {
	return func(step int64) error {
		r.calls = append(r.calls, fmt.Sprint(name, " ", step))
		return nil
	}
}

func TestHooksRunInOrderWhenDue(t *testing.T) {
	r := &recorder{}
	loop := trainloop.Loop{From: 0, To: 5, Step: r.step, Hooks: []trainloop.Hook{
		{Every: 1, Run: r.hook("log")},
		{Every: 0, Run: r.hook("never")},
		{Every: -1, Run: r.hook("never")},
		{Every: 2, Run: r.hook("diag")},
		{Every: 2, AtEnd: true, Run: r.hook("ckpt")},
		{AtEnd: true, Run: r.hook("end")},
	}}
	require.NoError(t, loop.Run(context.Background()))
	assert.Equal(t, []string{
		"step 1", "log 1",
		"step 2", "log 2", "diag 2", "ckpt 2",
		"step 3", "log 3",
		"step 4", "log 4", "diag 4", "ckpt 4",
		"step 5", "log 5", "ckpt 5", "end 5",
	}, r.calls)
}

func TestRunStartsAfterTheResumePoint(t *testing.T) {
	r := &recorder{}
	loop := trainloop.Loop{From: 3, To: 6, Step: r.step, Hooks: []trainloop.Hook{{Every: 4, AtEnd: true, Run: r.hook("ckpt")}}}
	require.NoError(t, loop.Run(context.Background()))
	assert.Equal(t, []string{"step 4", "ckpt 4", "step 5", "step 6", "ckpt 6"}, r.calls)

	for _, from := range []int64{6, 7} {
		r := &recorder{}
		loop := trainloop.Loop{From: from, To: 6, Step: r.step, Hooks: []trainloop.Hook{{Every: 1, AtEnd: true, Run: r.hook("ckpt")}}}
		require.NoError(t, loop.Run(context.Background()))
		assert.Empty(t, r.calls, "a run resumed at or past its end does nothing")
	}
}

func TestCancellationTakesEffectAfterTheStepsHooks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{}
	step := func(ctx context.Context, step int64) error {
		if step == 2 {
			cancel()
		}
		return r.step(ctx, step)
	}
	loop := trainloop.Loop{To: 5, Step: step, Hooks: []trainloop.Hook{{Every: 1, Run: r.hook("ckpt")}}}
	err := loop.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"step 1", "ckpt 1", "step 2", "ckpt 2"}, r.calls)

	// Cancelled after the last step: the run still reports it.
	r = &recorder{}
	ctx, cancel = context.WithCancel(context.Background())
	loop = trainloop.Loop{To: 1, Step: r.step, Hooks: []trainloop.Hook{{Every: 1, Run: func(int64) error { cancel(); return nil }}}}
	require.ErrorIs(t, loop.Run(ctx), context.Canceled)
	assert.Equal(t, []string{"step 1"}, r.calls)
}

func TestErrorsEndTheLoop(t *testing.T) {
	bad := errors.New("bad")
	t.Run("step", func(t *testing.T) {
		r := &recorder{}
		step := func(ctx context.Context, step int64) error {
			if step == 2 {
				return fmt.Errorf("step %d: %w", step, bad)
			}
			return r.step(ctx, step)
		}
		loop := trainloop.Loop{To: 5, Step: step, Hooks: []trainloop.Hook{{Every: 1, AtEnd: true, Run: r.hook("ckpt")}}}
		err := loop.Run(context.Background())
		require.ErrorIs(t, err, bad)
		assert.Equal(t, "step 2: bad", err.Error(), "the error comes back as the step returned it")
		assert.Equal(t, []string{"step 1", "ckpt 1"}, r.calls, "no hook runs after a failed step")
	})
	t.Run("hook", func(t *testing.T) {
		r := &recorder{}
		nonFinite := func(step int64) error {
			if step == 3 {
				return bad
			}
			return nil
		}
		loop := trainloop.Loop{To: 5, Step: r.step, Hooks: []trainloop.Hook{
			{Every: 1, Run: r.hook("log")}, {Every: 1, Run: nonFinite}, {Every: 1, AtEnd: true, Run: r.hook("ckpt")}}}
		require.ErrorIs(t, loop.Run(context.Background()), bad)
		assert.Equal(t, []string{"step 1", "log 1", "ckpt 1", "step 2", "log 2", "ckpt 2", "step 3", "log 3"}, r.calls,
			"the hooks after the failed one do not run, nor later steps")
	})
}

func TestErrStopEndsTheLoopWithoutError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{}
	stopAfter := func(step int64) error {
		if step >= 2 {
			cancel() // a stop wins over a cancellation of the same step
			return fmt.Errorf("epoch %d: %w", step, trainloop.ErrStop)
		}
		return nil
	}
	loop := trainloop.Loop{To: 5, Step: r.step, Hooks: []trainloop.Hook{
		{Every: 1, Run: r.hook("ckpt")}, {Every: 1, Run: stopAfter}, {Every: 1, Run: r.hook("after")}}}
	require.NoError(t, loop.Run(ctx))
	assert.Equal(t, []string{"step 1", "ckpt 1", "after 1", "step 2", "ckpt 2"}, r.calls)
}
