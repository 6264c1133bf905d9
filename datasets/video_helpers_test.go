package datasets

import (
	"github.com/vjepa-go/vjepa/datasets/decode"
)

// testDecoders lists the decoders built into this binary: the ffmpeg tools, then the
// in-process decoder when it is built in (it is then the default).
func testDecoders() []decode.Decoder {
	decs := []decode.Decoder{&decode.FFmpeg{}}
	if d := decode.Default(); d.Name() != decs[0].Name() {
		decs = append(decs, d)
	}
	return decs
}
