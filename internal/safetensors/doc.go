// Package safetensors reads and writes the safetensors format of Hugging Face
// (https://github.com/huggingface/safetensors, "Format"): an 8-byte little-endian header
// length N, N bytes of JSON mapping each tensor name to its dtype, shape and byte range
// [begin, end) in the data that follows, plus an optional "__metadata__" string map. Data
// is little-endian and row-major.
//
// Reading is bounds-checked: a header that is too long, not JSON, names an unknown dtype or
// a byte range that does not fit its shape or the file is an error naming the file, never a
// panic. Tensors are read one at a time, so a multi-GB file is never loaded whole.
package safetensors
