package backbone

import (
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
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

// RunBlock applies the transformer block named prefix to x as e says: with rope (V-JEPA 2)
// a rotary block, else the sin-cos one; the zero Execution with a nil rope is Block.
func (e Execution) RunBlock(x *Node, w Weights, prefix string, numHeads int, eps float64, rope *Node) *Node {
	if e.GradCheckpointing {
		x = x.Checkpoint()
	}
	if rope != nil {
		// V-JEPA 2 blocks: rotary attention, computed in float32 (mixed precision covers the
		// sin-cos blocks only; a documented deviation).
		x = RoPEBlock(x, w, prefix, numHeads, eps, rope)
	} else if dt := e.ComputeDType; dt != dtypes.InvalidDType && dt != x.DType() {
		x = mixedBlock(x, w, prefix, numHeads, eps, dt)
	} else {
		x = Block(x, w, prefix, numHeads, eps)
	}
	if e.GradCheckpointing {
		x = x.StopCheckpoint()
	}
	return x
}

// mixedBlock is Block with its attention and MLP computed in dt (see Execution.ComputeDType).
func mixedBlock(x *Node, w Weights, prefix string, numHeads int, eps float64, dt dtypes.DType) *Node {
	low := Weights{}
	for _, part := range []string{"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"} {
		for _, kind := range []string{".weight", ".bias"} {
			name := prefix + part + kind
			low[name] = ConvertDType(w.Get(name), dt)
		}
	}
	a := SelfAttention(ConvertDType(LayerNorm(x, w, prefix+"norm1", eps), dt), low, prefix+"attn", numHeads)
	x = Add(x, ConvertDType(a, x.DType()))
	m := MLP(ConvertDType(LayerNorm(x, w, prefix+"norm2", eps), dt), low, prefix+"mlp")
	return Add(x, ConvertDType(m, x.DType()))
}
