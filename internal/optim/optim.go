// Package optim holds the optimiser pieces GoMLX does not provide in the form the official
// code uses them: torch.optim.AdamW's update with per-parameter decoupled weight decay, and
// clip_grad_norm_.
package optim

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
)

// AdamW constants of torch.optim.AdamW's defaults.
const (
	Beta1 = 0.9
	Beta2 = 0.999
	Eps   = 1e-8
)

// AdamW is torch.optim.AdamW's single-tensor update: decoupled decay p·(1−lr·wd) for the
// decayed parameters, then Adam with bias corrections bc1 = 1−β1^t and bc2 = 1−β2^t (computed
// on the host in float64 and passed as scalars). It returns the new parameters and moments.
func AdamW(params, grads, m, v []*Node, decayed []bool, lr, wd, bc1, bc2 *Node) (np, nm, nv []*Node) {
	stepSize := Div(lr, bc1)
	bc2Sqrt := Sqrt(bc2)
	for i, p := range params {
		g := grads[i]
		if decayed[i] {
			p = Mul(p, OneMinus(Mul(lr, wd)))
		}
		mi := Add(MulScalar(m[i], Beta1), MulScalar(g, 1-Beta1))
		vi := Add(MulScalar(v[i], Beta2), MulScalar(Square(g), 1-Beta2))
		denom := AddScalar(Div(Sqrt(vi), bc2Sqrt), Eps)
		p = Sub(p, Mul(stepSize, Div(mi, denom)))
		np, nm, nv = append(np, p), append(nm, mi), append(nv, vi)
	}
	return np, nm, nv
}

// ClipByGlobalNorm scales grads so their global L2 norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ (coef = maxNorm/(norm+1e-6), applied when < 1); maxNorm ≤ 0
// disables it. It returns the clipped gradients and the norm before clipping.
func ClipByGlobalNorm(grads []*Node, maxNorm *Node) ([]*Node, *Node) {
	var sq *Node
	for _, g := range grads {
		s := ReduceAllSum(Square(g))
		if sq == nil {
			sq = s
		} else {
			sq = Add(sq, s)
		}
	}
	norm := Sqrt(sq)
	coef := Div(maxNorm, AddScalar(norm, 1e-6))
	one := OnesLike(coef)
	apply := And(GreaterThan(maxNorm, ZerosLike(maxNorm)), LessThan(coef, one))
	coef = Where(apply, coef, one)
	out := make([]*Node, len(grads))
	for i, g := range grads {
		out[i] = Mul(g, coef)
	}
	return out, norm
}
