package backbone

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
)

// RoPEWidth is the width s of each of the three rotated parts (time, height, width) of a head
// of dimension headDim: s = 2·floor(floor(headDim/3)/2) (vjepa2:src/models/utils/modules.py,
// RoPEAttention.d_dim). The last headDim − 3s columns are not rotated.
func RoPEWidth(headDim int) int { return 2 * ((headDim / 3) / 2) }

// RoPETable returns the rotary table of n tokens for heads of dimension headDim as a row-major
// [n, 2·3s] float32 slice: row p holds the cosines of the 3s rotated columns, then their sines.
//
// Token p sits at t = p / tokensPerFrame, h = (p mod tokensPerFrame) / tokensPerRow,
// w = p mod tokensPerRow. Column j of a part of width s and position x rotates by the angle
// x·ω_(j mod s/2) with ω_k = 10000^(−k/(s/2)): the official rotate_queries_or_keys repeats the
// s/2 frequencies instead of interleaving them, a quirk the released weights were trained with.
// The angles are computed as the official code does, in float32.
func RoPETable(headDim, n, tokensPerFrame, tokensPerRow int) ([]float32, error) {
	s := RoPEWidth(headDim)
	if s == 0 {
		return nil, fmt.Errorf("rope: head dim %d is too small for 3-D RoPE (it needs at least 6)", headDim)
	}
	if tokensPerFrame <= 0 || tokensPerRow <= 0 {
		return nil, fmt.Errorf("rope: grid of %d tokens per frame and %d per row is empty", tokensPerFrame, tokensPerRow)
	}
	half := s / 2
	omega := make([]float32, half)
	for k := range omega {
		e := float32(k) / float32(half)
		omega[k] = float32(1 / math.Pow(10000, float64(e)))
	}
	r := 3 * s
	out := make([]float32, n*2*r)
	for p := 0; p < n; p++ {
		pos := [3]int{p / tokensPerFrame, (p % tokensPerFrame) / tokensPerRow, p % tokensPerRow}
		row := out[p*2*r : (p+1)*2*r]
		for part, x := range pos {
			for j := 0; j < s; j++ {
				angle := float64(float32(x) * omega[j%half]) // one float32 product, as torch
				row[part*s+j] = float32(math.Cos(angle))
				row[r+part*s+j] = float32(math.Sin(angle))
			}
		}
	}
	return out, nil
}

// ApplyRoPE rotates x [B,N,H,hd] (q or k, heads on axis 2) by rope [B,N,2·3s], the rows of
// [RoPETable] for each token: out = x·cos + y·sin on the first 3s columns, where
// y[2i] = −x[2i+1] and y[2i+1] = x[2i]; the tail columns pass through.
func ApplyRoPE(x, rope *Node) *Node {
	dims := x.Shape().Dimensions
	b, n, h, hd := dims[0], dims[1], dims[2], dims[3]
	r := rope.Shape().Dim(-1) / 2
	cos := Reshape(SliceAxis(rope, -1, AxisRange(0, r)), b, n, 1, r)
	sin := Reshape(SliceAxis(rope, -1, AxisRange(r, 2*r)), b, n, 1, r)
	rot := SliceAxis(x, -1, AxisRange(0, r))
	pairs := Reshape(rot, b, n, h, r/2, 2)
	even := SliceAxis(pairs, -1, AxisElem(0))
	odd := SliceAxis(pairs, -1, AxisElem(1))
	y := Reshape(Concatenate([]*Node{Neg(odd), even}, -1), b, n, h, r)
	out := Add(Mul(rot, cos), Mul(y, sin))
	if r == hd {
		return out
	}
	return Concatenate([]*Node{out, SliceAxis(x, -1, AxisRange(r, hd))}, -1)
}
