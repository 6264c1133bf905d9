// Package npy reads and writes NumPy .npy and .npz files.
//
// Only the subset of the format needed for exchanging numeric tensors is
// supported: little-endian (or byte-order-free) float32, float64, int64,
// int32, uint8 and bool arrays in C order, in .npy format versions 1.0, 2.0
// and 3.0. Big-endian data, Fortran order and object arrays are rejected with
// an error.
package npy
