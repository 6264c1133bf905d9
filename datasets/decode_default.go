//go:build !astiav

package datasets

import "errors"

// DefaultDecoder is the decoder used when none is given: the ffmpeg command-line tools
// (binaries built with the astiav tag use the in-process libav decoder instead).
func DefaultDecoder() Decoder { return &FFmpegDecoder{} }

func newAstiavDecoder() (Decoder, error) {
	return nil, errors.New("the astiav decoder is not built in (build with -tags astiav)")
}
