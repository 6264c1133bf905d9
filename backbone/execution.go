package backbone

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

// Execution holds choices about how the transformer blocks are computed that leave the
// model's function unchanged up to rounding: gradient checkpointing, mixed precision and
// the attention algorithm. They describe a run, not the model, so Config does not
// serialise them. The zero value is the plain float32 computation with automatic attention.
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
	// Attention picks the attention algorithm (see [AttentionMode]); the zero value is
	// AttentionAuto.
	Attention AttentionMode
	// AttentionChunk is the number of queries per chunk of chunked attention; 0 sizes the
	// chunks so one chunk's scores fit [AttentionBudget].
	AttentionChunk int
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
	if e.Attention != AttentionAuto || e.AttentionChunk > 0 {
		s += ", attention " + e.Attention.String()
		if e.AttentionChunk > 0 {
			s += fmt.Sprintf(" (%d queries per chunk)", e.AttentionChunk)
		}
	}
	return s
}

// Precisions are the accepted values of a --precision flag of the frozen-evaluation
// commands ([ResolvePrecision]).
var Precisions = []string{"auto", "float32", "bfloat16", "float16"}

// ResolvePrecision returns the compute type of the blocks for a --precision value: float32
// (dtypes.InvalidDType: no conversion), bfloat16 or float16 as named, or for "auto" the
// evaluation config's dtype (configDType, an official meta.dtype spelling) when the backend
// computes 16-bit products fast (lowPrecisionFast: XLA on a GPU) and float32 otherwise — the
// Go backend computes 16-bit products through float32, so they only cost accuracy there.
func ResolvePrecision(precision, configDType string, lowPrecisionFast bool) (dtypes.DType, error) {
	switch strings.ToLower(precision) {
	case "auto", "":
		if lowPrecisionFast {
			return ParseComputeDType(configDType), nil
		}
		return dtypes.InvalidDType, nil
	case "float32", "bfloat16", "float16":
		return ParseComputeDType(precision), nil
	}
	return dtypes.InvalidDType, fmt.Errorf("unknown precision %q (valid: %s)", precision, strings.Join(Precisions, ", "))
}
