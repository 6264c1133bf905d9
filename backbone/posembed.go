package backbone

import (
	"fmt"
	"math"
)

// SinCos3D returns the fixed 3-D sin-cos positional table of the official code
// (jepa:src/models/utils/pos_embs.py, get_3d_sincos_pos_embed) as a row-major [t·h·w, dim]
// float32 slice. Tokens are time-major: row n = (ti·h + hi)·w + wi.
//
// Each token's row is [E_t | E_h | E_w], where E_x is the 1-D embedding of the integer
// position x: all sines then all cosines with ω_k = 10000^(-k/(S/2)). With uniformPower every
// axis gets S = 2·ceil(dim/6) columns and the concatenation is truncated to dim; otherwise time
// gets dim/2 columns and height and width dim/4 each. Computed in float64 like numpy, then
// rounded to float32.
func SinCos3D(dim, t, h, w int, uniformPower bool) ([]float32, error) {
	var st, sh, sw int
	if uniformPower {
		s := 2 * int(math.Ceil(float64(dim)/6))
		st, sh, sw = s, s, s
	} else {
		st, sh, sw = dim/2, dim/4, dim/4
	}
	if st%2 != 0 || sh%2 != 0 || sw%2 != 0 {
		return nil, fmt.Errorf("sin-cos table: embed dim %d gives odd per-axis widths (%d, %d, %d)", dim, st, sh, sw)
	}
	if st+sh+sw < dim {
		return nil, fmt.Errorf("sin-cos table: embed dim %d is not covered by per-axis widths (%d, %d, %d)", dim, st, sh, sw)
	}
	out := make([]float32, t*h*w*dim)
	row := make([]float64, st+sh+sw)
	for ti := 0; ti < t; ti++ {
		for hi := 0; hi < h; hi++ {
			for wi := 0; wi < w; wi++ {
				sinCos1D(row[:st], float64(ti))
				sinCos1D(row[st:st+sh], float64(hi))
				sinCos1D(row[st+sh:], float64(wi))
				n := (ti*h+hi)*w + wi
				for d := 0; d < dim; d++ {
					out[n*dim+d] = float32(row[d])
				}
			}
		}
	}
	return out, nil
}

// sinCos1D fills dst (even length S) with [sin(p·ω_0..ω_{S/2-1}) | cos(p·ω_0..ω_{S/2-1})].
func sinCos1D(dst []float64, pos float64) {
	half := len(dst) / 2
	for k := 0; k < half; k++ {
		omega := 1 / math.Pow(10000, float64(k)/float64(half))
		dst[k] = math.Sin(pos * omega)
		dst[half+k] = math.Cos(pos * omega)
	}
}

// InterpolatePosEmbed resizes a [t·h·w, dim] table to the grid (nt, nh, nw) with trilinear
// interpolation, align_corners=False, as the official interpolate_pos_encoding does
// (torch.nn.functional.interpolate(mode="trilinear") with scale factors nt/t, nh/h, nw/w).
// It returns the table unchanged when the grids are equal.
func InterpolatePosEmbed(table []float32, dim, t, h, w, nt, nh, nw int) []float32 {
	if t == nt && h == nh && w == nw {
		return table
	}
	ti0, ti1, tf := linearTaps(t, nt)
	hi0, hi1, hf := linearTaps(h, nh)
	wi0, wi1, wf := linearTaps(w, nw)
	out := make([]float32, nt*nh*nw*dim)
	src := func(a, b, c int) []float32 { n := (a*h+b)*w + c; return table[n*dim : (n+1)*dim] }
	for a := 0; a < nt; a++ {
		for b := 0; b < nh; b++ {
			for c := 0; c < nw; c++ {
				dst := out[((a*nh+b)*nw+c)*dim:][:dim]
				corners := [8]struct {
					row []float32
					wt  float64
				}{
					{src(ti0[a], hi0[b], wi0[c]), (1 - tf[a]) * (1 - hf[b]) * (1 - wf[c])},
					{src(ti0[a], hi0[b], wi1[c]), (1 - tf[a]) * (1 - hf[b]) * wf[c]},
					{src(ti0[a], hi1[b], wi0[c]), (1 - tf[a]) * hf[b] * (1 - wf[c])},
					{src(ti0[a], hi1[b], wi1[c]), (1 - tf[a]) * hf[b] * wf[c]},
					{src(ti1[a], hi0[b], wi0[c]), tf[a] * (1 - hf[b]) * (1 - wf[c])},
					{src(ti1[a], hi0[b], wi1[c]), tf[a] * (1 - hf[b]) * wf[c]},
					{src(ti1[a], hi1[b], wi0[c]), tf[a] * hf[b] * (1 - wf[c])},
					{src(ti1[a], hi1[b], wi1[c]), tf[a] * hf[b] * wf[c]},
				}
				for d := range dst {
					var s float64
					for _, k := range corners {
						s += k.wt * float64(k.row[d])
					}
					dst[d] = float32(s)
				}
			}
		}
	}
	return out
}

// linearTaps returns, for each output index of a 1-D linear resize from n to m samples with
// half-pixel centres (align_corners=False, scale given as m/n), the two source indices and the
// weight of the second.
func linearTaps(n, m int) (i0, i1 []int, frac []float64) {
	i0, i1, frac = make([]int, m), make([]int, m), make([]float64, m)
	scale := float64(n) / float64(m)
	for j := 0; j < m; j++ {
		x := (float64(j)+0.5)*scale - 0.5
		if x < 0 {
			x = 0
		}
		lo := int(math.Floor(x))
		if lo > n-1 {
			lo = n - 1
		}
		hi := lo + 1
		if hi > n-1 {
			hi = n - 1
		}
		i0[j], i1[j], frac[j] = lo, hi, x-float64(lo)
	}
	return i0, i1, frac
}
