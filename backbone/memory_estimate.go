package backbone

// Peak-memory estimates of the graphs the commands run, for choosing a batch that fits
// (memory_plan.go). They count float32 bytes of what the pure-Go backend holds at its peak,
// with coefficients fitted to measured peak RSS (docs/performance.md, "Memory planning":
// every calibration row within 25 %). The fitted copies include what the Go heap holds
// between garbage collections, so they exceed the tensors a graph needs at once; XLA frees
// buffers as soon as they are dead, so on a device the estimates err on the safe side.

// processBaseBytes is the resident memory of a vjepa process before any model: Go runtime,
// binary and backend (measured: 60–90 MiB).
const processBaseBytes = 96 << 20

// Calibration of EstimateForwardBytes (docs/performance.md, "Memory planning").
const (
	// weightCopiesForward: host parameters, graph constants and the matrix kernels' packed
	// panels (the Go backend holds constant weights three times).
	weightCopiesForward = 3
	// attentionCopiesForward: the scores and softmax of one block, all heads, plus the
	// buffer the next block allocates before the heap is collected (fitted: 2.3).
	attentionCopiesForward = 2.5
	// streamCopiesPerBlock: [B,N,D]-sized buffers per block (residual stream, normalised
	// input, q, k, v, attention output, MLP halves) the Go heap holds until it is collected
	// (fitted: 7.2).
	streamCopiesPerBlock = 7
	// streamHeapPerWeight bounds those buffers by the weights held: the Go heap is collected
	// when it has grown by its live size (GOGC 100), which the weights dominate, so a long
	// clip's per-block buffers do not all pile up. Fitted on the one long-clip measurement,
	// `vjepa encode` of a V-JEPA 2 ViT-L 64×256 clip with the weights held once and chunked
	// attention (3.59 GiB: 1.5 × the 1.13 GiB of weights left for the buffers); the short
	// calibration rows stay below the bound except ViT-T 16×224 (0.82× measured, within 25 %).
	streamHeapPerWeight = 1.5
)

// EstimateForwardBytes estimates the peak memory of a no-grad encoder forward of batch
// clips at c's construction size (c.NumFrames × c.CropSize²), as embed and probe feature
// extraction run it (weights as graph constants): the process base, the weights, the input
// clip, one block's attention scores (one chunk's where c.Exec's attention plan on the Go
// backend chunks them) and the per-block activations.
func EstimateForwardBytes(c Config, batch int) float64 {
	return forwardBytes(c, batch, weightCopiesForward)
}

// EstimateForwardBytesWeightsOnce is EstimateForwardBytes for a graph that takes its
// weights as inputs and holds them once (EncoderRunner.WeightsAsInputs), as `vjepa encode`
// and the official-shape bench cases run.
func EstimateForwardBytesWeightsOnce(c Config, batch int) float64 {
	return forwardBytes(c, batch, 1)
}

// forwardBytes is the forward estimate with the weights held weightCopies times.
func forwardBytes(c Config, batch int, weightCopies float64) float64 {
	nt := c.NumTokens()
	n, d, b := float64(nt), float64(c.EmbedDim), float64(batch)
	clip := b * 3 * float64(c.NumFrames*c.CropSize*c.CropSize)
	attention := float64(c.Exec.PlanAttention(nil, batch, c.NumHeads, nt, nt).ScoreBytes(batch, c.NumHeads, nt, nt)) / 4
	weights := weightCopies * float64(NumParams(EncoderSpecs(c)))
	stream := min(streamCopiesPerBlock*b*n*d*float64(c.Depth), streamHeapPerWeight*weights)
	return processBaseBytes + 4*(weights+clip+attentionCopiesForward*attention+stream)
}

// Calibration of EstimateStepBytes (docs/performance.md, "Memory planning").
const (
	// stepParamCopies: float32 copies of the trainable parameters of a plain step (weights,
	// gradients, AdamW moments, target encoder, updated copies, the kernels' packed panels
	// and graph buffers; fitted: 14.6).
	stepParamCopies = 15
	// keptLinearCopies and keptAttentionCopies: copies of the activations a plain step keeps
	// for the backward pass, the [N,D]-sized ones and the attention scores, counting their
	// gradients and what the heap holds until it is collected (fitted: 1.28 and 2.16).
	keptLinearCopies    = 1.25
	keptAttentionCopies = 2
	// checkpointedParamCopies: the same with gradient checkpointing (fitted: 11.8).
	checkpointedParamCopies = 12
	// checkpointedBlockCopies: one block's kept activations, counted for the recomputed block
	// of the backward pass, its gradients and what the heap holds until it is collected
	// (fitted: 17.9).
	checkpointedBlockCopies = 16
)

// EstimateStepBytes estimates the peak memory of a pretraining step with batch clips and
// the given context and target lengths per mask configuration (kc[i], kp[i]) on the pure-Go
// backend: the process base, the copies of the trainable parameters, and the activations
// the backward pass needs, per block of the context encoder on Kc tokens and of the predictor
// on Kc+Kp tokens N·D·(8+2·mlp) + 2·H·N² floats (blockActs), each part with its fitted copies.
//
// With gradient checkpointing (c.Exec.GradCheckpointing) a block keeps only its input, N·D
// floats, and the backward pass recomputes one block at a time: the block inputs plus copies
// of the largest block's activations.
func EstimateStepBytes(c Config, kc, kp []int, batch int) float64 {
	params := float64(NumParams(EncoderSpecs(c)) + NumParams(PredictorSpecs(c)))
	acts, copies := 0.0, float64(stepParamCopies)
	if c.Exec.GradCheckpointing {
		largest := 0.0
		for i := range kc {
			acts += float64(kc[i]*c.EmbedDim*c.Depth + (kc[i]+kp[i])*c.PredEmbedDim*c.PredDepth)
			largest = max(largest, blockActs(c.EmbedDim, c.NumHeads, c.MLPRatio, kc[i]),
				blockActs(c.PredEmbedDim, c.PredHeads(), c.PredMLPRatio, kc[i]+kp[i]))
		}
		acts += checkpointedBlockCopies * largest
		copies = checkpointedParamCopies
	} else {
		for i := range kc {
			acts += keptActs(c.EmbedDim, c.NumHeads, c.MLPRatio, kc[i]) * float64(c.Depth)
			acts += keptActs(c.PredEmbedDim, c.PredHeads(), c.PredMLPRatio, kc[i]+kp[i]) * float64(c.PredDepth)
		}
	}
	return processBaseBytes + 4*(float64(batch)*acts+copies*params)
}

// keptActs is blockActs weighted by the copies a plain step holds of each part.
func keptActs(d, heads int, mlpRatio float64, n int) float64 {
	linear, attention := blockActParts(d, heads, mlpRatio, n)
	return keptLinearCopies*linear + keptAttentionCopies*attention
}

// blockActs is the number of floats one transformer block keeps for backward per sample.
func blockActs(d, heads int, mlpRatio float64, n int) float64 {
	linear, attention := blockActParts(d, heads, mlpRatio, n)
	return linear + attention
}

// blockActParts splits blockActs into the [N,D]-sized activations, N·D·(8+2·mlp), and the
// attention scores and softmax of every head, 2·H·N².
func blockActParts(d, heads int, mlpRatio float64, n int) (linear, attention float64) {
	nf := float64(n)
	return nf * float64(d) * (8 + 2*mlpRatio), 2 * float64(heads) * nf * nf
}

// EstimateProbeStepBytes estimates the peak memory of an attentive-probe training step on
// cached features [batch, tokens, dim]: sweep probe heads trained together in one graph, each
// with params trainable floats and selfBlocks self-attention blocks over the tokens (V-JEPA 2's
// probe; V-JEPA's runs its self-attention on the query only, selfBlocks 0) of numHeads
// attention heads, plus the cross-attention's keys and values. It uses the plain step's
// fitted copies, with no fit of its own; checked against measured probe steps (V-JEPA 2
// probe, ViT-T/ViT-S features at 8 and 16 frames): 0.89–1.11 of the peak RSS.
func EstimateProbeStepBytes(dim, numHeads, selfBlocks, tokens, batch, sweep, params int) float64 {
	const probeMLPRatio = 4 // the official AttentivePooler's blocks: mlp_ratio 4.0
	perSample := float64(selfBlocks)*keptActs(dim, numHeads, probeMLPRatio, tokens) + keptLinearCopies*float64(2*tokens*dim)
	features := float64(batch * tokens * dim)
	return processBaseBytes + 4*(features+float64(sweep)*(stepParamCopies*float64(params)+float64(batch)*perSample))
}
