// Package datasets reads video lists and image folders in the official formats, decodes and
// samples clips exactly as the official code does, and provides procedurally generated built-in
// data sets so the whole loop runs on a fresh machine with no download.
//
// # Decoding
//
// Videos are decoded by a Decoder: AstiavDecoder (in-process libav through go-astiav, the
// default of builds with cgo) or FFmpegDecoder (the ffmpeg and ffprobe programs, the default of
// builds with CGO_ENABLED=0 or the noastiav tag). Both return the same frames for the same
// indices. Frame indices follow decord's VideoReader, the official loader (see VideoInfo): the
// frame count is the number of coded pictures of the stream and header fields that disagree
// with it are ignored. A video fails (a *SampleError, skipped and counted or fatal according to
// the FailurePolicy) only when its data cannot be decoded, it has no video stream, it is a still
// image, its frame size is zero or beyond MaxFramePixels, an MP4's sample index lists frames
// its data lacks, or its decoder stalls past the decode timeout (*ErrStalled).
package datasets
