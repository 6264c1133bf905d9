package backbone

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
)

// PatchEmbed is the tubelet embedding: a Conv3d with kernel = stride = (tubelet, patch, patch)
// written as a matrix product over patch vectors flattened in (channel, dt, dy, dx) order.
// clip is [B,3,T,H,W]; the result is [B,N,D] with tokens time-major, then row, then column.
func PatchEmbed(c Config, w Weights, clip *Node) *Node {
	dims := clip.Shape().Dimensions
	b, ch, t, h, wd := dims[0], dims[1], dims[2], dims[3], dims[4]
	tu, p := c.Tubelet, c.PatchSize
	nt, nh, nw := t/tu, h/p, wd/p
	x := Reshape(clip, b, ch, nt, tu, nh, p, nw, p)
	x = TransposeAllAxes(x, 0, 2, 4, 6, 1, 3, 5, 7) // [B,nt,nh,nw,C,tu,p,p]
	x = Reshape(x, b, nt*nh*nw, ch*tu*p*p)
	kernel := Reshape(w.Get("patch_embed.proj.weight"), c.EmbedDim, ch*tu*p*p)
	return Linear(x, Weights{"k.weight": kernel, "k.bias": w.Get("patch_embed.proj.bias")}, "k")
}

// Encode runs the encoder on clip [B,3,T,H,W]. pos is the positional input for the clip's
// token grid (see [EncoderPositions]): the [N,D] (or [1,N,D]) sin-cos table that is added to
// the tokens, or with c.UseRoPE the [N,2·3s] rotary table of [RoPETable]. If ctxIdx [B,K] is
// non-nil only those tokens enter the transformer (official apply_masks after adding the
// table; with RoPE they keep the rotation of their original grid position). It returns the
// output after the final LayerNorm, [B,N,D] or [B,K,D] (with c.OutLayers, the listed blocks'
// normed outputs concatenated along the tokens), and, when wantBlocks, the output of every
// block before the final norm.
func Encode(c Config, w Weights, clip, pos, ctxIdx *Node, wantBlocks bool) (out *Node, blocks []*Node) {
	x := PatchEmbed(c, w, clip)
	b, n := x.Shape().Dim(0), x.Shape().Dim(1)
	var rope *Node
	if c.UseRoPE {
		rope = tokenRows(pos, b, n)
		if ctxIdx != nil {
			rope = GatherTokens(rope, ctxIdx)
		}
	} else {
		x = Add(x, Reshape(pos, 1, n, c.EmbedDim))
	}
	if ctxIdx != nil {
		x = GatherTokens(x, ctxIdx)
	}
	var levels []*Node
	for i := 0; i < c.Depth; i++ {
		x = c.Exec.Block(x, w, fmt.Sprintf("blocks.%d.", i), c.NumHeads, LayerNormEps, rope)
		if wantBlocks {
			blocks = append(blocks, x)
		}
		if slices.Contains(c.OutLayers, i) {
			levels = append(levels, LayerNorm(x, w, "norm", LayerNormEps))
		}
	}
	if len(levels) > 0 {
		return Concatenate(levels, 1), blocks
	}
	return LayerNorm(x, w, "norm", LayerNormEps), blocks
}

// tokenRows broadcasts a per-token table [N,W] (or [1,N,W]) to [b,N,W].
func tokenRows(table *Node, b, n int) *Node {
	wd := table.Shape().Size() / n
	return BroadcastToDims(Reshape(table, 1, n, wd), b, n, wd)
}

// Predict runs the predictor for one mask configuration: z [B,Kc,D] are the context encoder
// outputs at ctxIdx [B,Kc]; tgtIdx [B,Kt] are the target positions; maskIndex picks the mask
// token (mask_index % num_mask_tokens). pos is the predictor's positional input (see
// [PredictorPositions]): its [N,Dp] sin-cos table, or with c.UseRoPE its [N,2·3s] rotary
// table, where the targets are then the bare mask token. It returns the predictions
// [B,Kt,D] and, when wantBlocks, every block output ([B,Kc+Kt,Dp], context first).
//
// The official predictor sorts the sequence by token position before the blocks and
// unsorts it after the norm; attention does not depend on the order (positions travel with
// the tokens), so the sequence stays context first here.
func Predict(c Config, w Weights, z, ctxIdx, tgtIdx, pos *Node, maskIndex int, wantBlocks bool) (out *Node, blocks []*Node) {
	b, kt, p := z.Shape().Dim(0), tgtIdx.Shape().Dim(1), c.PredEmbedDim
	n := pos.Shape().Dim(-2) // pos is [N,W] or [1,N,W]
	table := tokenRows(pos, b, n)
	x := Linear(z, w, "predictor_embed")
	token := w.Get(fmt.Sprintf("mask_tokens.%d", maskIndex%c.NumMaskTokens))
	tgt := BroadcastToDims(Reshape(token, 1, 1, p), b, kt, p)
	var rope *Node
	if c.UseRoPE {
		rope = Concatenate([]*Node{GatherTokens(table, ctxIdx), GatherTokens(table, tgtIdx)}, 1)
	} else {
		x = Add(x, GatherTokens(table, ctxIdx))
		tgt = Add(tgt, GatherTokens(table, tgtIdx))
	}
	x = Concatenate([]*Node{x, tgt}, 1)
	for i := 0; i < c.PredDepth; i++ {
		x = c.Exec.Block(x, w, fmt.Sprintf("predictor_blocks.%d.", i), c.PredHeads(), LayerNormEps, rope)
		if wantBlocks {
			blocks = append(blocks, x)
		}
	}
	x = LayerNorm(x, w, "predictor_norm", LayerNormEps)
	kc := x.Shape().Dim(1) - kt
	x = SliceAxis(x, 1, AxisRange(kc, kc+kt))
	return Linear(x, w, "predictor_proj"), blocks
}
