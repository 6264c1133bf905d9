// Package torchckpt reads and writes PyTorch checkpoints in the zip format
// of torch.save (PyTorch >= 1.6), without Python.
//
// A checkpoint is a zip archive holding <prefix>/data.pkl, a pickle
// (protocol 2) of the saved object in which every tensor refers by key to a
// raw little-endian storage <prefix>/data/<key>. [Open] decodes only
// data.pkl, with a small pickle interpreter that never executes anything:
// known constructors (tensors, OrderedDict) become Go values, every other
// class becomes an opaque [Object]. Tensor data is read on demand, one
// tensor at a time, straight from its storage record, so multi-gigabyte
// checkpoints can be inspected with little memory.
//
// Decoded Python values map to Go as follows: None is nil, bool is bool,
// int is int64 (or *big.Int when it does not fit), float is float64, str is
// string, bytes is []byte, dict and collections.OrderedDict are
// *[OrderedDict], list is *[List], tuple is [Tuple], tensors and parameters
// are *[TensorRef], classes and functions are *[Global], anything else built
// from a class is *[Object].
package torchckpt
