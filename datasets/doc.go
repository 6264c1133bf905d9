// Package datasets opens data: it reads video lists and image folders in the official formats,
// samples clips exactly as the official code does, serves them through a deterministic,
// resumable loader, checks data sets (data check) and exports the built-in ones as files.
//
// The parts it is built from are packages of their own, which datasets imports and which never
// import datasets:
//
//   - [github.com/vjepa-go/vjepa/datasets/decode] decodes videos and still images;
//   - [github.com/vjepa-go/vjepa/datasets/transform] holds the official transforms and
//     augmentations that turn decoded frames into model clips;
//   - [github.com/vjepa-go/vjepa/datasets/synthetic] renders the built-in procedural data
//     sets, so the whole loop runs on a fresh machine with no download;
//   - [github.com/vjepa-go/vjepa/datasets/media] holds the types passed between them.
//
// A video that cannot be used fails as a *SampleError, skipped and counted or fatal according
// to the FailurePolicy.
package datasets
