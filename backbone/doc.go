// Package backbone implements the V-JEPA video Vision Transformer (the encoder) and its narrow
// predictor as plain functions over GoMLX graphs, plus their configuration presets and the
// reading and writing of official PyTorch checkpoints and Hugging Face safetensors.
//
// V-JEPA (facebookresearch/jepa, see docs/model.md): tubelet embedding, fixed
// 3-D sin-cos positional table, pre-norm blocks with exact GELU and LayerNorm eps 1e-6, and
// the predictor with one learnable mask token per mask configuration.
//
// V-JEPA 2 (facebookresearch/vjepa2, Config.UseRoPE): no table; 3-D rotary embeddings on q and
// k in every encoder and predictor attention ([RoPETable], [ApplyRoPE]). Weights come from the
// released .pt files ([Checkpoint]) or a Hugging Face VJEPA2Model folder ([HFWeights],
// [LoadHFConfig]), both opened by content with [OpenParamSource]; [WriteHF] writes the latter.
//
// Parameters are named as in the official state dicts (without the "module.backbone." prefix).
package backbone
