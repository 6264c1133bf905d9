package probe

import "github.com/vjepa-go/vjepa/backbone"

// featureModel is the part of the backbone c that its frozen features depend on, as the
// feature cache keys it. The precision of the blocks (Exec.ComputeDType) stays: float16 or
// bfloat16 features differ from float32 ones by far more than rounding (about 1e-3
// relative), so they are never reused for a float32 run, nor the other way round. The
// attention algorithm and its chunk size go: full, chunked and fused attention compute the
// same function (within 1e-6 relative in float32, the parity tests), so a cache filled
// with one is valid for the others; gradient checkpointing does not touch a forward pass.
// With the default execution the key is the one of the runs before these settings existed.
func featureModel(c backbone.Config) backbone.Config {
	c.Exec = backbone.Execution{ComputeDType: c.Exec.ComputeDType}
	return c
}
