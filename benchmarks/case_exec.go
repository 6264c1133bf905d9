package benchmarks

import (
	"strings"

	"github.com/gomlx/compute/dtypes"

	"github.com/vjepa-go/vjepa/backbone"
)

// Attention modes a case can run with, as the JSON rows record them.
const (
	// AttentionFull materialises every [N,N] score matrix (backbone.ScaledDotProductAttention).
	AttentionFull = "full"
)

// caseAttention names how the blocks of a case run with e compute attention.
// TODO(attention): read the mode from Execution once it carries one (issue 19 item 1);
// today every block materialises its scores.
func caseAttention(backbone.Execution) string { return AttentionFull }

// casePrecision names the type of the blocks' matrix products under e: "float32", or the
// compute type of the mixed-precision blocks (e.g. "bfloat16").
func casePrecision(e backbone.Execution) string {
	if e.ComputeDType == dtypes.InvalidDType {
		return "float32"
	}
	return strings.ToLower(e.ComputeDType.String())
}
