// Package results turns the probe run records in results/runs/*.json into the project's results
// page: Markdown tables (one per benchmark, compared with the published numbers of the V-JEPA and
// V-JEPA 2 papers), a probe-head sweep table per run, a pretrained / random-init / average-pooling
// comparison on the built-in data sets, the official-trainer vs vjepa-go comparison (`task
// reference`), and PNG figures (accuracy bars, pretraining loss and collapse diagnostics, both
// trainers' loss curves, probe training curves).
//
// Accuracies are printed as mean ± standard deviation over the probe seeds (a record of one seed
// is labelled "single seed"); differences between runs are paired by seed and carry the 95 %
// interval of a paired t-test.
//
// The output is deterministic: rows are sorted, numbers use fixed formats and the README carries
// no generation time, so regenerating without new runs gives no diff.
package results
