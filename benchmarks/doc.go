// Package benchmarks holds the speed benchmarks (go test -bench) of the encoder, the pretraining
// step, the probe step and data loading, with FLOP counts.
package benchmarks
