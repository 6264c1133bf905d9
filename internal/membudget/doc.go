// Package membudget says how much memory a run may use on the device its backend computes
// on: the host's available RAM for the pure-Go backend, the GPU's free memory for XLA CUDA
// when the driver exposes it. The batch planner (backbone.PlanBatch) compares it with its
// estimates.
package membudget
