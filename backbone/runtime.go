package backbone

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/internal/backend"
	"github.com/vjepa-go/vjepa/internal/host"
)

// HostTensor is the project's host tensor (a float32 or int64 array with its shape), the
// same type the data loaders and the .npy reader produce.
type HostTensor = host.Tensor

func deviceTensor(h HostTensor) *tensors.Tensor {
	if h.I64 != nil {
		return tensors.FromFlatDataAndDimensions(h.I64, h.Shape...)
	}
	return tensors.FromFlatDataAndDimensions(h.F32, h.Shape...)
}

// ParamTensors uploads host parameters once, in name order, for repeated graph calls.
type ParamTensors struct {
	Names   []string
	Tensors []*tensors.Tensor
	// Constant embeds the parameters in the graphs that Bind builds as constants instead of
	// taking them as inputs on every call. The Go backend then packs each weight matrix
	// into its kernel's panel layout once, on the first call, rather than on every call;
	// see [backend.ConstantWeights] for when it pays.
	Constant bool
}

// NewParamTensors converts params (shaped by specs) to tensors.
func NewParamTensors(params HostParams, specs []ParamSpec) (*ParamTensors, error) {
	if err := params.CheckAgainst(specs); err != nil {
		return nil, err
	}
	shape := map[string][]int{}
	for _, s := range specs {
		shape[s.Name] = s.Shape
	}
	pt := &ParamTensors{Names: params.Names()}
	for _, n := range pt.Names {
		pt.Tensors = append(pt.Tensors, tensors.FromFlatDataAndDimensions(params[n], shape[n]...))
	}
	return pt, nil
}

// Bind returns the graph's weights and its data inputs: with Constant the weights are
// constants of g and every input is data; otherwise the first len(Names) inputs are the
// weights, as [ParamTensors.Args] passes them.
func (pt *ParamTensors) Bind(g *Graph, in []*Node) (Weights, []*Node) {
	w := make(Weights, len(pt.Names))
	if pt.Constant {
		for i, n := range pt.Names {
			// The row blocks of fused projections as constants of their own, so that no
			// slice runs per call; the fused parameter itself is then not held a second
			// time (the backend copies every constant).
			if parts := numRowBlocks(n); parts > 0 {
				for j, part := range rowBlocks(pt.Tensors[i], parts) {
					w[RowBlockName(n, j)] = ConstTensor(g, part)
				}
				continue
			}
			w[n] = ConstTensor(g, pt.Tensors[i])
		}
		return w, in
	}
	for i, n := range pt.Names {
		w[n] = in[i]
	}
	return w, in[len(pt.Names):]
}

// rowBlocks splits t along its first axis into k equal tensors.
func rowBlocks(t *tensors.Tensor, k int) []*tensors.Tensor {
	dims := t.Shape().Dimensions
	flat := tensors.MustCopyFlatData[float32](t)
	size := len(flat) / k
	parts := make([]*tensors.Tensor, k)
	for i := range parts {
		partDims := append([]int{dims[0] / k}, dims[1:]...)
		parts[i] = tensors.FromFlatDataAndDimensions(flat[i*size:(i+1)*size], partDims...)
	}
	return parts
}

// Args returns the call arguments of a graph built with Bind: the weights (unless they are
// constants) followed by data.
func (pt *ParamTensors) Args(data ...any) []any {
	if pt.Constant {
		return data
	}
	args := make([]any, 0, len(pt.Tensors)+len(data))
	for _, t := range pt.Tensors {
		args = append(args, t)
	}
	return append(args, data...)
}

// PosTableFor returns the [N,D] sin-cos table for a clip of t frames and h×w pixels: the
// stored table when the grid equals the construction grid, else its trilinear resize.
func PosTableFor(c Config, stored []float32, dim, t, h, w int) ([]float32, error) {
	if err := checkClipGrid(c, t, h, w); err != nil {
		return nil, err
	}
	gt, gh, gw := c.Grid()
	return InterpolatePosEmbed(stored, dim, gt, gh, gw, t/c.Tubelet, h/c.PatchSize, w/c.PatchSize), nil
}

func checkClipGrid(c Config, t, h, w int) error {
	if t <= 0 || h <= 0 || w <= 0 || t%c.Tubelet != 0 || h%c.PatchSize != 0 || w%c.PatchSize != 0 {
		return fmt.Errorf("clip %d×%d×%d is not divisible by tubelet %d and patch %d", t, h, w, c.Tubelet, c.PatchSize)
	}
	return nil
}

// EncoderPositions returns the encoder's positional input for a clip of t frames and h×w
// pixels, row-major [N, width]: the sin-cos table (stored is the model's pos_embed, resized
// when the grid differs), or with RoPE the rotary table of the clip's own grid (the official
// encoder derives positions from the input's patch grid).
func EncoderPositions(c Config, stored []float32, t, h, w int) (table []float32, width int, err error) {
	if err := checkClipGrid(c, t, h, w); err != nil {
		return nil, 0, err
	}
	if !c.UseRoPE {
		table, err = PosTableFor(c, stored, c.EmbedDim, t, h, w)
		return table, c.EmbedDim, err
	}
	nh, nw := h/c.PatchSize, w/c.PatchSize
	hd := c.EmbedDim / c.NumHeads
	table, err = RoPETable(hd, t/c.Tubelet*nh*nw, nh*nw, nw)
	return table, 6 * RoPEWidth(hd), err
}

// PredictorPositions returns the predictor's positional input for a clip of t frames and
// h×w pixels, row-major [N, width]: its sin-cos table (resized when the grid differs), or with
// RoPE the rotary table over the clip's N token indices laid out on the construction grid —
// the official predictor splits an index with grid_size = crop_size/patch_size whatever the
// clip's size.
func PredictorPositions(c Config, stored []float32, t, h, w int) (table []float32, width int, err error) {
	if err := checkClipGrid(c, t, h, w); err != nil {
		return nil, 0, err
	}
	if !c.UseRoPE {
		table, err = PosTableFor(c, stored, c.PredEmbedDim, t, h, w)
		return table, c.PredEmbedDim, err
	}
	g := c.CropSize / c.PatchSize
	hd := c.PredEmbedDim / c.PredHeads()
	n := t / c.Tubelet * (h / c.PatchSize) * (w / c.PatchSize)
	table, err = RoPETable(hd, n, g*g, g)
	return table, 6 * RoPEWidth(hd), err
}

// EncoderRunner evaluates the encoder (without gradients) on the host's backend.
type EncoderRunner struct {
	cfg    Config
	params *ParamTensors
	table  []float32 // the stored sin-cos table (host copy, so Run never reads it back); nil with RoPE
	full   *Exec     // inputs: params..., clip, pos
	masked *Exec     // inputs: params..., clip, pos, ctxIdx
	blocks bool
}

// NewEncoderRunner compiles (lazily, per input shape) the encoder for backend. With
// wantBlocks the outputs also include every block's output, stacked [depth,B,N,D].
func NewEncoderRunner(b compute.Backend, c Config, params HostParams, wantBlocks bool) (*EncoderRunner, error) {
	pt, err := NewParamTensors(params, EncoderSpecs(c))
	if err != nil {
		return nil, err
	}
	pt.Constant = backend.ConstantWeights(b)
	r := &EncoderRunner{cfg: c, params: pt, table: params["pos_embed"], blocks: wantBlocks}
	build := func(masked bool) func(*Graph, []*Node) []*Node {
		return func(g *Graph, in []*Node) []*Node {
			w, data := pt.Bind(g, in)
			var ctx *Node
			if masked {
				ctx = data[2]
			}
			out, blocks := Encode(c, w, data[0], data[1], ctx, wantBlocks)
			if !wantBlocks {
				return []*Node{out}
			}
			return []*Node{out, Stack(blocks, 0)}
		}
	}
	if r.full, err = NewExec(b, build(false)); err != nil {
		return nil, err
	}
	if r.masked, err = NewExec(b, build(true)); err != nil {
		return nil, err
	}
	return r, nil
}

// WeightsAsInputs makes the runner pass the weights to its graphs as call inputs instead of
// holding them as graph constants; call it before the first Run. On the Go backend the
// weights are then held once (the backend shares the tensors' memory), where constants hold
// them three times: the tensors, the graph's copy and the matrix kernels' packed copy. The
// price is re-packing every weight matrix on every call, which is small beside the
// products of a large clip: the one-shot `vjepa encode` uses it.
func (r *EncoderRunner) WeightsAsInputs() { r.params.Constant = false }

// Run encodes clip [B,3,T,H,W]; ctxIdx [B,K] (int64) may be nil for the full clip. It returns
// the normed output and, if the runner was built with blocks, the stacked block outputs.
func (r *EncoderRunner) Run(clip HostTensor, ctxIdx *HostTensor) (out HostTensor, blocks *HostTensor, err error) {
	if len(clip.Shape) != 5 || clip.Shape[1] != 3 {
		return out, nil, fmt.Errorf("clip must be [B,3,T,H,W], got %v", clip.Shape)
	}
	table, width, err := EncoderPositions(r.cfg, r.table, clip.Shape[2], clip.Shape[3], clip.Shape[4])
	if err != nil {
		return out, nil, err
	}
	n := len(table) / width
	args := r.params.Args(deviceTensor(clip), tensors.FromFlatDataAndDimensions(table, n, width))
	exec := r.full
	if ctxIdx != nil {
		if err := checkIndices(*ctxIdx, clip.Shape[0], n); err != nil {
			return out, nil, fmt.Errorf("context indices: %w", err)
		}
		args = append(args, deviceTensor(*ctxIdx))
		exec = r.masked
	}
	res, err := exec.Call(args...)
	if err != nil {
		return out, nil, fmt.Errorf("encoder: %w", err)
	}
	out = hostFromTensor(res[0])
	if r.blocks {
		b := hostFromTensor(res[1])
		blocks = &b
	}
	return out, blocks, nil
}

func hostFromTensor(t *tensors.Tensor) HostTensor {
	return HostTensor{Shape: t.Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](t)}
}

// checkIndices verifies idx is [b,K] with every value in [0,n).
func checkIndices(idx HostTensor, b, n int) error {
	if len(idx.Shape) != 2 || idx.Shape[0] != b {
		return fmt.Errorf("want shape [%d,K], got %v", b, idx.Shape)
	}
	if idx.I64 == nil {
		return fmt.Errorf("want int64 values")
	}
	for i, v := range idx.I64 {
		if v < 0 || v >= int64(n) {
			return fmt.Errorf("index %d at position %d is outside [0,%d)", v, i, n)
		}
	}
	return nil
}

// PredictorRunner evaluates the predictor (without gradients).
type PredictorRunner struct {
	cfg    Config
	params *ParamTensors
	table  []float32 // the stored predictor sin-cos table (host copy); nil with RoPE
	execs  map[int]*Exec
	blocks bool
}

// NewPredictorRunner prepares the predictor for backend.
func NewPredictorRunner(b compute.Backend, c Config, params HostParams, wantBlocks bool) (*PredictorRunner, error) {
	pt, err := NewParamTensors(params, PredictorSpecs(c))
	if err != nil {
		return nil, err
	}
	pt.Constant = backend.ConstantWeights(b)
	r := &PredictorRunner{cfg: c, params: pt, table: params["predictor_pos_embed"], execs: map[int]*Exec{}, blocks: wantBlocks}
	for i := 0; i < c.NumMaskTokens; i++ {
		maskIndex := i
		e, err := NewExec(b, func(g *Graph, in []*Node) []*Node {
			w, data := pt.Bind(g, in)
			out, blocks := Predict(c, w, data[0], data[1], data[2], data[3], maskIndex, wantBlocks)
			if !wantBlocks {
				return []*Node{out}
			}
			return []*Node{out, Stack(blocks, 0)}
		})
		if err != nil {
			return nil, err
		}
		r.execs[i] = e
	}
	return r, nil
}

// Run predicts the target features from context features z [B,Kc,D] at ctxIdx [B,Kc] for
// tgtIdx [B,Kt] with mask token maskIndex. numTokens is the token count of the clip's grid
// (the predictor's table is resized to (t,h,w) of the clip when it differs).
func (r *PredictorRunner) Run(z HostTensor, ctxIdx, tgtIdx HostTensor, maskIndex, t, h, w int) (out HostTensor, blocks *HostTensor, err error) {
	if maskIndex < 0 || maskIndex >= r.cfg.NumMaskTokens {
		return out, nil, fmt.Errorf("mask index %d out of range: the predictor has %d mask tokens", maskIndex, r.cfg.NumMaskTokens)
	}
	table, width, err := PredictorPositions(r.cfg, r.table, t, h, w)
	if err != nil {
		return out, nil, err
	}
	n := len(table) / width
	b := z.Shape[0]
	if err := checkIndices(ctxIdx, b, n); err != nil {
		return out, nil, fmt.Errorf("context indices: %w", err)
	}
	if err := checkIndices(tgtIdx, b, n); err != nil {
		return out, nil, fmt.Errorf("target indices: %w", err)
	}
	if len(z.Shape) != 3 || z.Shape[1] != ctxIdx.Shape[1] || z.Shape[2] != r.cfg.EmbedDim {
		return out, nil, fmt.Errorf("context features must be [%d,%d,%d], got %v", b, ctxIdx.Shape[1], r.cfg.EmbedDim, z.Shape)
	}
	args := r.params.Args(deviceTensor(z), deviceTensor(ctxIdx), deviceTensor(tgtIdx),
		tensors.FromFlatDataAndDimensions(table, n, width))
	res, err := r.execs[maskIndex].Call(args...)
	if err != nil {
		return out, nil, fmt.Errorf("predictor: %w", err)
	}
	out = hostFromTensor(res[0])
	if r.blocks {
		bl := hostFromTensor(res[1])
		blocks = &bl
	}
	return out, blocks, nil
}
