package trainloop

import (
	"context"
	"errors"
)

// ErrStop, returned by a hook, ends the loop after the current step without an error: the
// hooks after it do not run for that step. A run told to stop early (after some epochs, so
// that it can be resumed later) returns it.
var ErrStop = errors.New("trainloop: stop")

// Loop runs the steps From+1, …, To of a training run. Steps are numbered from 1; From is
// the number of steps done before: 0 for a fresh run, the checkpoint's count on resume.
type Loop struct {
	From, To int64
	// Step does step number step.
	Step func(ctx context.Context, step int64) error
	// Hooks run after every step, in this order, those that are due.
	Hooks []Hook
}

// Hook is work done after some of the steps: a log row, a checkpoint, diagnostics, a
// progress update, a check that ends the run.
type Hook struct {
	// Every runs the hook after the steps that are a multiple of it: 1 after every step, 0
	// (or less) after none (but see AtEnd).
	Every int64
	// AtEnd runs the hook after the last step, To, as well.
	AtEnd bool
	// Run does the work after step. [ErrStop] ends the loop without an error; any other
	// error ends it with that error.
	Run func(step int64) error
}

// due reports whether the hook runs after step of a loop ending at step last.
func (h Hook) due(step, last int64) bool {
	return (h.Every > 0 && step%h.Every == 0) || (h.AtEnd && step == last)
}

// Run runs the steps. It returns nil after step To (at once when From >= To) or when a hook
// returns [ErrStop]; the first error of a step or a hook, as it is (the step and the hooks
// say what failed); and the context's error when the context is done after a step: a
// cancellation takes effect between steps, once the step's hooks, its checkpoint included,
// have run.
func (l Loop) Run(ctx context.Context) error {
	for step := l.From + 1; step <= l.To; step++ {
		if err := l.Step(ctx, step); err != nil {
			return err
		}
		for _, h := range l.Hooks {
			if !h.due(step, l.To) {
				continue
			}
			if err := h.Run(step); errors.Is(err, ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
