package backbone

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
)

// AttentionMode says how scaled dot-product attention is computed. Every mode computes the
// same function (up to rounding); they differ in memory and speed.
type AttentionMode int

const (
	// AttentionAuto picks by backend and size: the backend's fused kernel where it is fast
	// (XLA on CUDA: cuDNN flash attention), else chunked when the [B,H,Nq,Nk] scores would
	// exceed [AttentionBudget], else full.
	AttentionAuto AttentionMode = iota
	// AttentionFull materialises the scores [B,H,Nq,Nk] at once (the official computation).
	AttentionFull
	// AttentionChunked splits the queries into chunks and computes each chunk's full softmax
	// over all keys in turn, so at most one chunk's scores exist at a time; in training each
	// chunk is recomputed in the backward pass, so no [Nq,Nk] tensor is kept.
	AttentionChunked
	// AttentionFused calls the backend's fused scaled dot-product attention (with its fused
	// backward where the backend has one). On the Go backend it exists but is a slow scalar
	// loop that materialises the scores of one head at a time; combinations the backend does
	// not implement (cuDNN: float32) fall back to the choice of [AttentionAuto] without it.
	AttentionFused
)

// attentionModeNames are the flag spellings of the modes, in declaration order.
var attentionModeNames = []string{"auto", "full", "chunked", "fused"}

// String is the mode's flag spelling, e.g. "chunked".
func (m AttentionMode) String() string {
	if m < 0 || int(m) >= len(attentionModeNames) {
		return fmt.Sprintf("AttentionMode(%d)", int(m))
	}
	return attentionModeNames[m]
}

// ParseAttentionMode reads a mode's flag spelling (case-insensitive).
func ParseAttentionMode(s string) (AttentionMode, error) {
	for i, name := range attentionModeNames {
		if strings.EqualFold(s, name) {
			return AttentionMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown attention mode %q (valid: %s)", s, strings.Join(attentionModeNames, ", "))
}

// AttentionBudget is the largest float32 score tensor [B,H,Nq,Nk] that AttentionAuto
// materialises at once, and the size of one query chunk's scores when the chunk size is
// not set: 256 MiB keeps a ViT-L 64×256 clip (N = 8192, 16 heads) at 512 queries per chunk,
// while every 16-frame 224-px clip up to ViT-H (B = 1) still runs in one piece.
const AttentionBudget = 256 << 20

// AttentionModes lists the modes backend b can run: fused only where the backend has a
// fused attention operation.
func AttentionModes(b compute.Backend) []AttentionMode {
	modes := []AttentionMode{AttentionAuto, AttentionFull, AttentionChunked}
	if hasFusedAttention(b) {
		modes = append(modes, AttentionFused)
	}
	return modes
}

// CheckAttention reports whether backend b can run e's attention mode, with a one-line error
// naming the modes it can.
func (e Execution) CheckAttention(b compute.Backend) error {
	if e.AttentionChunk < 0 {
		return fmt.Errorf("attention chunk size must be positive (or 0 for automatic), got %d", e.AttentionChunk)
	}
	modes := AttentionModes(b)
	for _, m := range modes {
		if m == e.Attention {
			return nil
		}
	}
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = m.String()
	}
	return fmt.Errorf("attention mode %q is not available on backend %s (valid: %s)", e.Attention, b.String(), strings.Join(names, ", "))
}

// Attend computes softmax(q·kᵀ/√hd)·v for q [B,Nq,H,hd] and k, v [B,Nk,H,hd] as e.Attention
// says (see [Execution.PlanAttention]), returning [B,Nq,H,hd]. It is the attention of the
// encoder, predictor and probe blocks; the softmax runs in float32 whatever the inputs' type.
func (e Execution) Attend(q, k, v *Node) *Node {
	p := e.PlanAttention(q.Graph().Backend(), q.Shape().Dim(0), q.Shape().Dim(2), q.Shape().Dim(1), k.Shape().Dim(1))
	unfused := func() *Node {
		if p.Chunk == 0 {
			return ScaledDotProductAttention(q, k, v)
		}
		return ChunkedAttention(q, k, v, p.Chunk)
	}
	if p.Fused {
		return fusedAttention(q, k, v, unfused)
	}
	return unfused()
}

// AttentionPlan is how one attention call is computed.
type AttentionPlan struct {
	// Fused: the backend's fused operation is called; where it does not implement the call
	// (cuDNN: float32 inputs) the unfused computation below runs instead, and the gradient
	// goes through it where the backend has no fused backward.
	Fused bool
	// Chunk is the number of queries per chunk of the unfused computation; 0 is the full
	// computation (one [B,H,Nq,Nk] score tensor).
	Chunk int
}

// PlanAttention resolves e's attention mode for batch queries [batch,nq] and keys [batch,nk]
// with heads heads on backend b:
//   - full: Chunk 0;
//   - chunked: AttentionChunk queries per chunk, or as many as keep one chunk's float32 scores
//     within AttentionBudget (Chunk 0 when that is every query);
//   - fused: Fused, with the automatic unfused plan as fallback;
//   - auto: fused on a backend other than the Go backend that has the fused operation (XLA
//     with CUDA), else full when the scores fit AttentionBudget, else chunked.
//
// A nil b plans for a backend without a fused operation (the Go backend's plan).
func (e Execution) PlanAttention(b compute.Backend, batch, heads, nq, nk int) AttentionPlan {
	if e.Attention == AttentionFull {
		return AttentionPlan{}
	}
	chunk := e.AttentionChunk
	if chunk <= 0 {
		row := int64(batch) * int64(heads) * int64(nk) * 4 // one query's float32 scores, every head
		chunk = int(max(1, AttentionBudget/row))
	}
	if chunk >= nq {
		chunk = 0
	}
	if e.Attention == AttentionChunked {
		return AttentionPlan{Chunk: chunk}
	}
	var p AttentionPlan // auto, or fused with the automatic unfused plan as fallback
	if scoreBytes(batch, heads, nq, nk) > AttentionBudget {
		p.Chunk = chunk
	}
	p.Fused = e.Attention == AttentionFused || (b != nil && hasFusedAttention(b) && b.String() != gobackend.BackendName)
	return p
}

// hasFusedAttention reports whether backend b has a fused scaled dot-product attention.
func hasFusedAttention(b compute.Backend) bool {
	return b.Capabilities().Operations[compute.OpTypeFusedScaledDotProductAttention]
}

// ScoreBytes is the size of the float32 scores the unfused computation of p holds at once
// for batch queries [batch,nq], keys [batch,nk] and heads heads: [B,H,Nq,Nk] for the full
// computation, [B,H,Chunk,Nk] chunked. (cuDNN's fused attention holds none.)
func (p AttentionPlan) ScoreBytes(batch, heads, nq, nk int) int64 {
	if p.Chunk > 0 {
		nq = min(nq, p.Chunk)
	}
	return scoreBytes(batch, heads, nq, nk)
}

// scoreBytes is the size of float32 scores [batch,heads,nq,nk].
func scoreBytes(batch, heads, nq, nk int) int64 {
	return int64(batch) * int64(heads) * int64(nq) * int64(nk) * 4
}

// fusedAttention calls the backend's fused attention on the [B,N,H,hd] layout, falling back
// to unfused() where the backend does not implement the call (and for the gradient where it
// has no fused backward).
func fusedAttention(q, k, v *Node, unfused func() *Node) *Node {
	hasVJP := q.Graph().Backend().Capabilities().Operations[compute.OpTypeFusedScaledDotProductAttentionVJP]
	out, _ := InternalFusedOpCaller(func() *Node {
		cfg := &compute.ScaledDotProductAttentionConfig{Scale: 1 / math.Sqrt(float64(q.Shape().Dim(-1)))}
		o, _ := BackendFusedScaledDotProductAttention(q, k, v, compute.AttentionAxesLayoutBSHD, cfg)
		return o
	}, unfused, !hasVJP)
	return out
}

// ScaledDotProductAttention computes softmax(q·kᵀ/√hd)·v for q [B,Nq,H,hd] and k, v
// [B,Nk,H,hd], returning [B,Nq,H,hd], with the scores [B,H,Nq,Nk] materialised at once (the
// official computation). The softmax runs in float32 whatever the inputs' type.
//
// The products are laid out for the Go backend's matrix kernels: heads move next to the
// batch ([B,H,N,hd], a transpose it runs in parallel), q·kᵀ contracts the last axis of
// both operands and the weighted sum contracts the scores' last axis with v's token axis,
// so neither product needs a generic (single-core) transpose in the forward pass. The scale
// multiplies q (an Nq×hd pass) rather than the Nq×Nk scores as the official code does:
// equal up to rounding (docs/deviations.md).
func ScaledDotProductAttention(q, k, v *Node) *Node {
	return toTokens(attendHeads(scaledHeads(q), toHeads(k), toHeads(v)))
}

// ChunkedAttention is [ScaledDotProductAttention] computed chunk queries at a time: each
// chunk's scores [B,H,chunk,Nk] go through their full softmax and the weighted sum before the
// next chunk starts (a scheduling barrier orders the chunks, so a backend that runs ready
// operations in any order still holds one chunk's scores at a time). Each chunk is a
// checkpointed segment: a backward pass recomputes its scores instead of keeping them.
// The result equals the full computation's: every query row sees the same keys in the same
// order.
func ChunkedAttention(q, k, v *Node, chunk int) *Node {
	if chunk <= 0 {
		panic(fmt.Errorf("backbone: attention chunk size must be positive, got %d", chunk))
	}
	nq := q.Shape().Dim(1)
	qh, kh, vh := scaledHeads(q), toHeads(k), toHeads(v)
	numChunks := (nq + chunk - 1) / chunk
	// dq[i] is the gradient reaching chunk i's queries, recorded while the backward pass is
	// built (chunks are differentiated last to first); chunk i's recomputation waits for
	// dq[i+1], so the backward pass also holds one chunk's scores at a time.
	dq := make([]*Node, numChunks)
	var outs []*Node
	for i := range numChunks {
		qc := SliceAxis(qh, 2, AxisRange(i*chunk, min((i+1)*chunk, nq)))
		if i > 0 {
			qc = SchedulingBarrier(qc, outs[i-1])
		}
		// The capturing identity goes after the checkpoint: placed before it, GoMLX v0.28.16
		// loses its custom gradient.
		qc = IdentityWithCustomGradient(qc.Checkpoint(), func(_, v *Node) *Node { dq[i] = v; return v })
		out := attendHeads(qc, kh, vh).StopCheckpoint()
		outs = append(outs, IdentityWithCustomGradient(out, func(_, v *Node) *Node {
			if i+1 < numChunks && dq[i+1] != nil {
				return SchedulingBarrier(v, dq[i+1])
			}
			return v
		}))
	}
	if len(outs) == 1 {
		return toTokens(outs[0])
	}
	return toTokens(Concatenate(outs, 2))
}

// toHeads moves the heads next to the batch: [B,N,H,hd] → [B,H,N,hd]; toTokens undoes it.
func toHeads(x *Node) *Node  { return TransposeAllAxes(x, 0, 2, 1, 3) }
func toTokens(x *Node) *Node { return TransposeAllAxes(x, 0, 2, 1, 3) }

// scaledHeads is q in the heads layout, multiplied by head_dim^-0.5.
func scaledHeads(q *Node) *Node {
	return MulScalar(toHeads(q), 1/math.Sqrt(float64(q.Shape().Dim(-1))))
}

// attendHeads is softmax(q·kᵀ)·v in the heads layout: q [B,H,Nq,hd] (already scaled), k, v
// [B,H,Nk,hd] → [B,H,Nq,hd], the softmax in float32.
func attendHeads(q, k, v *Node) *Node {
	scores := DotGeneral(q, []int{3}, []int{0, 1}, k, []int{3}, []int{0, 1}) // [B,H,Nq,Nk]
	coef := ConvertDType(Softmax(ConvertDType(scores, dtypes.Float32), -1), v.DType())
	return DotGeneral(coef, []int{3}, []int{0, 1}, v, []int{2}, []int{0, 1}) // [B,H,Nq,hd]
}
