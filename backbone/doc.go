// Package backbone implements the V-JEPA video Vision Transformer (the encoder) and its narrow
// predictor as plain functions over GoMLX graphs, plus their configuration presets and the
// reading and writing of official PyTorch checkpoints.
//
// The computation matches facebookresearch/jepa exactly (see docs/model.md):
// tubelet embedding, fixed 3-D sin-cos positional table, pre-norm blocks with exact GELU and
// LayerNorm eps 1e-6, and the predictor with one learnable mask token per mask configuration.
// Parameters are named as in the official state dicts (without the "module.backbone." prefix).
package backbone
