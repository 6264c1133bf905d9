// Package results turns the probe run records in results/runs/*.json into the project's results
// page: Markdown tables (one per benchmark, compared with the published numbers of the V-JEPA and
// V-JEPA 2 papers), a probe-head sweep table per run, a pretrained / random-init / average-pooling
// comparison on the built-in data sets, and PNG figures (accuracy bars, pretraining loss and
// collapse diagnostics, probe training curves).
//
// The output is deterministic: rows are sorted, numbers use fixed formats and the README carries
// no generation time, so regenerating without new runs gives no diff.
package results
