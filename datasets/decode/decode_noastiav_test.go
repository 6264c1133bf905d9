//go:build !cgo || noastiav

package decode

func extraTestDecoders() []Decoder { return nil }
