// Package trainloop is the loop that the project's two training runs share: pretraining
// (pretrain.Run, where a step is one optimiser step) and the attentive probe
// (probe.TrainAndEvaluate, where a step is one epoch over the training features).
//
// A [Loop] counts the steps from a resume point to the end, calls the run's step function
// and after each step the hooks that are due: a log row, a checkpoint every N steps and at
// the end, diagnostics, the progress bar, a check that stops the run on a non-finite loss
// or after a number of epochs. Between steps it honours a cancelled context. The step and
// the hooks belong to the run; the loop only puts them in order, as big_vision's train loop
// does with its evaluators.
package trainloop
