// Package decode decodes videos and still images into [media.Frames].
//
// Videos are decoded by a Decoder: Astiav (in-process libav through go-astiav, the default of
// builds with cgo) or FFmpeg (the ffmpeg and ffprobe programs, the default of builds with
// CGO_ENABLED=0 or the noastiav tag). Both return the same frames for the same indices. Frame
// indices follow decord's VideoReader, the official loader (see VideoInfo): the frame count is
// the number of coded pictures of the stream and header fields that disagree with it are
// ignored. A video fails only when its data cannot be decoded, it has no video stream, it is a
// still image, its frame size is zero or beyond MaxFramePixels, an MP4's sample index lists
// frames its data lacks, or its decoder stalls past the decode timeout (*ErrStalled, see
// WithTimeout).
package decode
