//go:build !astiav

package datasets

func extraTestDecoders() []Decoder { return nil }
