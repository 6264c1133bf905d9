//go:build !astiav

package datasets

// DefaultDecoder is the decoder used when none is given: the ffmpeg command-line tools
// (binaries built with the astiav tag use the in-process libav decoder instead).
func DefaultDecoder() Decoder { return &FFmpegDecoder{} }
