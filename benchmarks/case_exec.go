package benchmarks

import (
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/probe"
)

// Attention algorithms a case can run with, as the JSON rows record them: the mode that
// backbone.Execution.PlanAttention resolves (never "auto").
const (
	// AttentionFull materialises every [B,H,N,N] score tensor at once.
	AttentionFull = "full"
	// AttentionChunked computes the scores a chunk of queries at a time (JSONCase.AttentionChunk).
	AttentionChunked = "chunked"
	// AttentionFused calls the backend's fused attention operation.
	AttentionFused = "fused"
)

// attentionName is the JSON spelling of plan p.
func attentionName(p backbone.AttentionPlan) string {
	switch {
	case p.Fused:
		return AttentionFused
	case p.Chunk > 0:
		return AttentionChunked
	}
	return AttentionFull
}

// encoderAttention is how the encoder of c with its execution c.Exec computes attention on
// backend b for batch whole clips: the plan of the case's largest attention (all tokens
// attend to all tokens; the step cases' target encoder, whose plan the context encoder's
// and the predictor's shorter sequences never exceed in memory).
func encoderAttention(b compute.Backend, c backbone.Config, batch int) backbone.AttentionPlan {
	n := c.NumTokens()
	return c.Exec.PlanAttention(b, max(batch, 1), c.NumHeads, n, n)
}

// probeAttention is how the probe of pc computes its largest attention on backend b: the
// self-attention blocks over the tokens where the pooler has them (depth > 1, V-JEPA 2's
// attentive4), else the cross-attention of its query over the tokens.
func probeAttention(b compute.Backend, pc ProbeCase) backbone.AttentionPlan {
	m := pc.Model
	queries := 1
	if m.Depth > 1 || (m.Depth == 0 && m.Kind == probe.Attentive4) {
		queries = pc.Tokens
	}
	return m.Exec.PlanAttention(b, max(pc.Batch, 1), m.NumHeads, queries, pc.Tokens)
}

// casePrecision names the type of the blocks' matrix products under e: "float32", or the
// compute type of the mixed-precision blocks (e.g. "bfloat16").
func casePrecision(e backbone.Execution) string {
	if e.ComputeDType == dtypes.InvalidDType {
		return "float32"
	}
	return strings.ToLower(e.ComputeDType.String())
}

// probeExecution is how the probe cases compute their blocks under the run's execution e:
// e's attention algorithm, in float32 (the probe trains its float32 weights; 16-bit
// products are the frozen encoder's business in the official evals, and a probe row that
// says "float32" is what ran).
func probeExecution(e backbone.Execution) backbone.Execution {
	return backbone.Execution{Attention: e.Attention, AttentionChunk: e.AttentionChunk}
}
