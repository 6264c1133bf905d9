// Package trainstate is the named training state both trainers share: a parameter group's
// values and optimiser moments on the device ([Group]), and graphs whose inputs and outputs
// are named lists of tensors ([Exec]) instead of flat lists in a fixed order. Pretraining
// and the probes pack the state, the batch and the per-step scalars by name, here, so a new
// state tensor or optimiser scalar is one edit in internal/optim.
//
// GoMLX's context variables and optimizers are not used: the official optimisers keep
// parameter groups (decayed or not, encoder and predictor clipped separately, one AdamW per
// probe head of a sweep) with torch's bias-correction arithmetic, and the checkpoints store
// the moments in torch's layout; explicit state keeps both exact.
package trainstate
