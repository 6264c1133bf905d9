//go:build !cgo || noastiav

package decode

import "errors"

// Default is the decoder used when none is given. This binary is built without cgo or
// with the noastiav tag, so it is the ffmpeg command-line tools.
func Default() Decoder { return &FFmpeg{} }

func newAstiavDecoder() (Decoder, error) {
	return nil, errors.New("the astiav decoder is not built in (this binary is built without cgo or with -tags noastiav)")
}
