package backbone

import (
	"strings"

	"github.com/gomlx/compute/dtypes"
)

// Execution holds choices about how the transformer blocks are computed that leave the
// model's function unchanged up to rounding: gradient checkpointing and mixed precision.
// They describe a run, not the model, so Config does not serialise them.
type Execution struct {
	// GradCheckpointing keeps only each block's input and output for the backward pass and
	// recomputes the activations inside the block there (Node.Checkpoint at the block's
	// input, Node.StopCheckpoint at its output): less memory for about one more forward.
	GradCheckpointing bool
	// ComputeDType, when set to a float type other than the weights' (dtypes.BFloat16), runs
	// the matrix products of every block's attention and MLP in that type, like PyTorch's
	// autocast: the block's weights and the normalised activations are converted on entry,
	// the attention scores go through the softmax in float32, and the results are converted
	// back before the residual additions, so LayerNorms, residual stream, loss, gradients
	// of the (float32 master) weights and optimiser state stay float32.
	ComputeDType dtypes.DType
}

// ParseComputeDType maps an official meta.dtype value to a compute type: "bfloat16" and
// "float16" to themselves, anything else (the official code's rule) to float32, reported as
// dtypes.InvalidDType (no conversion).
func ParseComputeDType(s string) dtypes.DType {
	switch strings.ToLower(s) {
	case "bfloat16":
		return dtypes.BFloat16
	case "float16":
		return dtypes.Float16
	}
	return dtypes.InvalidDType
}

// String describes e for logs, e.g. "float32" or "bfloat16, gradient checkpointing".
func (e Execution) String() string {
	s := "float32"
	if e.ComputeDType != dtypes.InvalidDType {
		s = strings.ToLower(e.ComputeDType.String())
	}
	if e.GradCheckpointing {
		s += ", gradient checkpointing"
	}
	return s
}
