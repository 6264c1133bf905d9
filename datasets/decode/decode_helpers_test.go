package decode

// testDecoders lists the decoders built into this binary.
func testDecoders() []Decoder {
	return append([]Decoder{&FFmpeg{}}, extraTestDecoders()...)
}
