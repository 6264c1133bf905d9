//go:build !cgo || noastiav

package datasets

func extraTestDecoders() []Decoder { return nil }
