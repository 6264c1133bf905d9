// Package results turns the probe run records in results/runs/*.json into the project's results
// pages: results/README.md (a summary table per data set with the paired difference against
// random init and the papers' numbers, a verdict, the official trainer against vjepa-go, figures
// and the rerun history) and results/runs.md (every record, its head sweep and curves, the
// published numbers), with PNG figures.
//
// One rule governs every comparison: records are compared only when they match on the data set
// and its version, the protocol, the probe with all its settings, the backbone architecture and
// the encoder entry (a random-init record matches any encoder). Records of one configuration
// (the same weights too) are pooled by seed, each seed counted once from the latest record that
// holds it; there is no best-of selection. Paired differences use only the seeds both sides
// hold and carry the 95 % interval of a paired t-test.
//
// Everything is generated from committed inputs only: the records, the pretraining logs copied
// into results/pretrain/ and results/reference/, and pretraining figures whose logs were never
// committed, which are kept rather than deleted. The output is deterministic, so a fresh clone
// regenerates the committed pages and figures byte for byte (a test checks it). [Check] finds
// records that reference missing runs, claim pairs that mix protocols or encoders, or store a
// mean or std that disagrees with their own per-seed values.
package results
