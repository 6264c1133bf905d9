package pretrain

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MaskConfig describes one multiblock-3D mask configuration (one entry of the official
// `mask:` list, `jepa:src/masks/multiblock3d.py`).
//
// Scales are fractions: a block spans int(Tg*temporal) time steps and covers about
// int(Hg*Wg*spatial) spatial positions. Each [2]float64 is a [min, max] range sampled
// uniformly.
type MaskConfig struct {
	// AspectRatio is the [min, max] range of the block height/width ratio (linear, not log).
	AspectRatio [2]float64
	// NumBlocks is the number of (possibly overlapping) target blocks per sample.
	NumBlocks int
	// SpatialScale is the [min, max] fraction of the Hg*Wg positions one block covers.
	SpatialScale [2]float64
	// TemporalScale is the [min, max] fraction of the Tg time steps one block spans.
	TemporalScale [2]float64
	// MaxTemporalKeep is the fraction of time steps the context may span; time steps from
	// max(1, int(Tg*MaxTemporalKeep)) on are always targets. 1.0 disables it.
	MaxTemporalKeep float64
	// MaxKeep caps the number of context tokens per sample; 0 means no cap.
	MaxKeep int
}

// ShortRange returns the official short-range configuration: 8 blocks of 15% of the frame
// spanning all time steps.
func ShortRange() MaskConfig { return fullSpanBlocks(8, 0.15) }

// LongRange returns the official long-range configuration: 2 blocks of 70% of the frame
// spanning all time steps.
func LongRange() MaskConfig { return fullSpanBlocks(2, 0.7) }

// fullSpanBlocks is the official configuration of n blocks, each covering the fraction
// spatial of the frame (aspect ratio in [0.75, 1.5]) over all time steps.
func fullSpanBlocks(n int, spatial float64) MaskConfig {
	return MaskConfig{
		AspectRatio:     [2]float64{0.75, 1.5},
		NumBlocks:       n,
		SpatialScale:    [2]float64{spatial, spatial},
		TemporalScale:   [2]float64{1.0, 1.0},
		MaxTemporalKeep: 1.0,
	}
}

// DefaultMaskConfigs returns the two configurations of every released V-JEPA config, in the
// official order (short-range first).
func DefaultMaskConfigs() []MaskConfig { return []MaskConfig{ShortRange(), LongRange()} }

// Validate reports whether the configuration is usable.
func (c MaskConfig) Validate() error {
	checkRange := func(name string, r [2]float64, hi float64) error {
		if math.IsNaN(r[0]) || math.IsNaN(r[1]) || r[0] <= 0 || r[1] < r[0] || r[1] > hi {
			return fmt.Errorf("%s %v: want 0 < min <= max <= %g", name, r, hi)
		}
		return nil
	}
	if c.NumBlocks < 1 {
		return fmt.Errorf("num_blocks %d: want >= 1", c.NumBlocks)
	}
	if err := checkRange("spatial_scale", c.SpatialScale, 1); err != nil {
		return err
	}
	if err := checkRange("temporal_scale", c.TemporalScale, 1); err != nil {
		return err
	}
	if err := checkRange("aspect_ratio", c.AspectRatio, math.Inf(1)); err != nil {
		return err
	}
	if !(c.MaxTemporalKeep > 0 && c.MaxTemporalKeep <= 1) {
		return fmt.Errorf("max_temporal_keep %g: want in (0, 1]", c.MaxTemporalKeep)
	}
	if c.MaxKeep < 0 {
		return fmt.Errorf("max_keep %d: want >= 0 (0 = no cap)", c.MaxKeep)
	}
	return nil
}

// Masks holds the context and target token indices of one mask configuration for a batch.
// Every row of Context has the same length Kc and every row of Target the same length Kp;
// indices are ascending, disjoint within a row and lie in [0, Tg*Hg*Wg), with tokens
// numbered time-major: n = (t*Hg + h)*Wg + w.
type Masks struct {
	Context [][]int64 // [B][Kc]
	Target  [][]int64 // [B][Kp]
}

// Kc returns the number of context tokens per sample.
func (m Masks) Kc() int {
	if len(m.Context) == 0 {
		return 0
	}
	return len(m.Context[0])
}

// Kp returns the number of target tokens per sample.
func (m Masks) Kp() int {
	if len(m.Target) == 0 {
		return 0
	}
	return len(m.Target[0])
}

// FlatContext returns the context indices as one row-major [B*Kc] slice, ready to become a
// [B, Kc] tensor.
func (m Masks) FlatContext() []int64 { return flatten(m.Context) }

// FlatTarget returns the target indices as one row-major [B*Kp] slice.
func (m Masks) FlatTarget() []int64 { return flatten(m.Target) }

func flatten(rows [][]int64) []int64 {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	out := make([]int64, 0, n)
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// maxResample bounds how often one sample is redrawn because its context came out empty.
// The official code loops forever; with a block size that does not cover the whole grid the
// probability of reaching this bound is negligible, so hitting it means the configuration
// (almost) always hides everything.
const maxResample = 1 << 14

// MaskSampler draws multiblock-3D masks for a fixed token grid and a list of configurations,
// following `jepa:src/masks/multiblock3d.py` step by step.
//
// Deviation from the official code: the official block size comes from a torch.Generator
// seeded with a counter that every collator call increments (0 for the first batch); the
// bits of torch's generator cannot be reproduced, so the three uniforms (temporal, spatial,
// aspect, in that order) come from a Go PCG generator seeded with the iteration number.
// As in the official code, where every configuration's counter advances in lockstep, all
// configurations of one iteration see the same three uniforms. The block positions come
// from the caller's generator (the official global torch RNG).
//
// A MaskSampler is immutable and safe for concurrent use (with distinct rng values).
type MaskSampler struct {
	tg, hg, wg int
	cfgs       []MaskConfig
	bucket     int
	// fixed, when set, holds per configuration the exact context and target lengths of
	// every batch (see WithFixedLengths).
	fixed [][2]int
}

// WithFixedLengths returns a sampler whose batches always have exactly lengths[i] =
// {Kc, Kp} context and target tokens for configuration i, so that the compiled train step
// has a single shape for the whole run (each new shape is a recompile, and on the pure-Go
// backend also a new set of buffers). Samples are drawn as usual; a sample with fewer context
// or target tokens than required is redrawn (new block positions, same block size), then
// every sample keeps its lowest Kc context and Kp target indices, as the official batch-minimum
// truncation does. Pick the lengths with CalibrateLengths so that redraws are rare.
//
// Deviation from the official sampler: the redraw slightly favours samples whose blocks
// overlap less; the official lengths vary per batch instead.
func (s *MaskSampler) WithFixedLengths(lengths [][2]int) (*MaskSampler, error) {
	if len(lengths) != len(s.cfgs) {
		return nil, fmt.Errorf("fixed mask lengths: %d pairs for %d configurations", len(lengths), len(s.cfgs))
	}
	for i, l := range lengths {
		if l[0] < 1 || l[1] < 1 || l[0]+l[1] > s.NumTokens() {
			return nil, fmt.Errorf("fixed mask lengths of configuration %d: %v does not fit %d tokens", i, l, s.NumTokens())
		}
	}
	out := *s
	out.fixed = append([][2]int(nil), lengths...)
	return &out, nil
}

// CalibrateLengths simulates batches of size batch and returns, per configuration, the
// q-quantile of the batch-minimum context and target lengths, rounded down to a multiple of
// round: fixed lengths that most batches reach without a redraw.
func (s *MaskSampler) CalibrateLengths(batch, batches int, q float64, round int, seed uint64) ([][2]int, error) {
	free := *s
	free.fixed, free.bucket = nil, 1
	kc := make([][]int, len(s.cfgs))
	kp := make([][]int, len(s.cfgs))
	rng := rand.New(rand.NewPCG(seed, 0x63616c69))
	for it := range batches {
		ms, err := free.Sample(int64(it), batch, rng)
		if err != nil {
			return nil, err
		}
		for i, m := range ms {
			kc[i] = append(kc[i], m.Kc())
			kp[i] = append(kp[i], m.Kp())
		}
	}
	quant := func(v []int) int {
		slices.Sort(v)
		k := v[min(len(v)-1, int(q*float64(len(v))))]
		return max(1, BucketDown(k, round))
	}
	out := make([][2]int, len(s.cfgs))
	for i := range out {
		out[i] = [2]int{quant(kc[i]), quant(kp[i])}
	}
	return out, nil
}

// NewMaskSampler returns a sampler for a Tg x Hg x Wg token grid.
//
// bucket rounds the batch-minimum lengths Kc and Kp further down to a multiple of bucket
// (see [BucketDown]) so that the compiled train step sees fewer distinct shapes; this drops
// a few more of the highest-index tokens from context and targets, exactly like the official
// batch-minimum truncation already does. bucket 0 or 1 gives the exact official behaviour.
func NewMaskSampler(tg, hg, wg int, cfgs []MaskConfig, bucket int) (*MaskSampler, error) {
	if tg < 1 || hg < 1 || wg < 1 {
		return nil, fmt.Errorf("mask sampler: grid %dx%dx%d: every side must be >= 1", tg, hg, wg)
	}
	if len(cfgs) == 0 {
		return nil, errors.New("mask sampler: no mask configurations")
	}
	if bucket < 0 {
		return nil, fmt.Errorf("mask sampler: bucket %d: want >= 0", bucket)
	}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("mask sampler: configuration %d: %w", i, err)
		}
	}
	return &MaskSampler{tg: tg, hg: hg, wg: wg, cfgs: append([]MaskConfig(nil), cfgs...), bucket: max(bucket, 1)}, nil
}

// NumTokens returns Tg*Hg*Wg.
func (s *MaskSampler) NumTokens() int { return s.tg * s.hg * s.wg }

// Configs returns a copy of the sampler's configurations.
func (s *MaskSampler) Configs() []MaskConfig { return append([]MaskConfig(nil), s.cfgs...) }

// blockSize is the (t, h, w) extent of every block of one configuration in one batch.
type blockSize struct{ t, h, w int }

// BlockSize returns the block extent (t, h, w) that configuration cfg uses at iteration.
func (s *MaskSampler) BlockSize(iteration int64, cfg int) (t, h, w int, err error) {
	if cfg < 0 || cfg >= len(s.cfgs) {
		return 0, 0, 0, fmt.Errorf("mask configuration %d out of range [0, %d)", cfg, len(s.cfgs))
	}
	b := s.blockSize(iteration, s.cfgs[cfg])
	return b.t, b.h, b.w, nil
}

func (s *MaskSampler) blockSize(iteration int64, c MaskConfig) blockSize {
	g := rand.New(rand.NewPCG(uint64(iteration), 0x6a65706132)) // second word: fixed stream id
	lerp := func(r [2]float64) float64 { return r[0] + g.Float64()*(r[1]-r[0]) }

	t := max(1, int(float64(s.tg)*lerp(c.TemporalScale)))
	keep := int(float64(s.hg*s.wg) * lerp(c.SpatialScale))
	ar := lerp(c.AspectRatio)
	h := int(math.RoundToEven(math.Sqrt(float64(keep) * ar)))
	w := int(math.RoundToEven(math.Sqrt(float64(keep) / ar)))
	return blockSize{t: min(t, s.tg), h: min(h, s.hg), w: min(w, s.wg)}
}

// Sample draws the masks of one batch: one [Masks] per configuration, in configuration order.
//
// iteration is the global 0-based batch counter (the official collator counter, which a
// resumed run fast-forwards to start_epoch*ipe); it alone fixes the block sizes. rng supplies
// the block positions. batch must be >= 1.
func (s *MaskSampler) Sample(iteration int64, batch int, rng *rand.Rand) ([]Masks, error) {
	if batch < 1 {
		return nil, fmt.Errorf("sample masks: batch %d: want >= 1", batch)
	}
	if rng == nil {
		return nil, errors.New("sample masks: nil rng")
	}
	out := make([]Masks, len(s.cfgs))
	for i, c := range s.cfgs {
		m, err := s.sampleConfig(s.blockSize(iteration, c), i, batch, rng)
		if err != nil {
			return nil, fmt.Errorf("sample masks: iteration %d, configuration %d: %w", iteration, i, err)
		}
		out[i] = m
	}
	return out, nil
}

func (s *MaskSampler) sampleConfig(b blockSize, ci, batch int, rng *rand.Rand) (Masks, error) {
	c := s.cfgs[ci]
	n := s.NumTokens()
	if b.t == s.tg && b.h == s.hg && b.w == s.wg {
		return Masks{}, fmt.Errorf("block %dx%dx%d covers the whole %dx%dx%d grid: the context is always empty",
			b.t, b.h, b.w, s.tg, s.hg, s.wg)
	}
	maxCtx := max(1, int(float64(s.tg)*c.MaxTemporalKeep))

	keep := make([]bool, n)
	ctx := make([][]int64, batch)
	tgt := make([][]int64, batch)
	minCtx, minTgt := n, n
	needCtx, needTgt := 1, 0
	if s.fixed != nil {
		needCtx, needTgt = s.fixed[ci][0], s.fixed[ci][1]
	}
	for bi := range batch {
		for attempt := 0; ; attempt++ {
			if attempt == maxResample {
				return Masks{}, fmt.Errorf("no sample with ≥ %d context and ≥ %d target tokens after %d redraws of block %dx%dx%d", needCtx, needTgt, maxResample, b.t, b.h, b.w)
			}
			s.drawSample(keep, b, c.NumBlocks, maxCtx, rng)
			nctx := 0
			for _, k := range keep {
				if k {
					nctx++
				}
			}
			if nctx < needCtx || n-nctx < needTgt {
				continue
			}
			cRow := make([]int64, 0, nctx)
			tRow := make([]int64, 0, n-nctx)
			for idx, k := range keep {
				if k {
					cRow = append(cRow, int64(idx))
				} else {
					tRow = append(tRow, int64(idx))
				}
			}
			ctx[bi], tgt[bi] = cRow, tRow
			minCtx, minTgt = min(minCtx, len(cRow)), min(minTgt, len(tRow))
			break
		}
	}
	if c.MaxKeep > 0 {
		minCtx = min(minCtx, c.MaxKeep)
	}
	minCtx, minTgt = BucketDown(minCtx, s.bucket), BucketDown(minTgt, s.bucket)
	if s.fixed != nil {
		minCtx, minTgt = needCtx, needTgt
	}
	for bi := range batch {
		ctx[bi] = ctx[bi][:minCtx:minCtx]
		tgt[bi] = tgt[bi][:minTgt:minTgt]
	}
	return Masks{Context: ctx, Target: tgt}, nil
}

// drawSample fills keep (t-major, length Tg*Hg*Wg) with the context mask of one sample:
// numBlocks boxes of size b are zeroed (positions drawn top, left, start in the official
// order), then every time step >= maxCtx.
func (s *MaskSampler) drawSample(keep []bool, b blockSize, numBlocks, maxCtx int, rng *rand.Rand) {
	for i := range keep {
		keep[i] = true
	}
	for range numBlocks {
		top := rng.IntN(s.hg - b.h + 1)
		left := rng.IntN(s.wg - b.w + 1)
		start := rng.IntN(s.tg - b.t + 1)
		for t := start; t < start+b.t; t++ {
			for h := top; h < top+b.h; h++ {
				row := (t*s.hg + h) * s.wg
				for w := left; w < left+b.w; w++ {
					keep[row+w] = false
				}
			}
		}
	}
	if maxCtx < s.tg {
		for i := maxCtx * s.hg * s.wg; i < len(keep); i++ {
			keep[i] = false
		}
	}
}

// BucketDown rounds a token count k down to a multiple of size, so that a compiled graph
// sees only a few distinct sequence lengths. Counts below size are returned unchanged (an
// empty context or target is never produced); size <= 1 returns k.
func BucketDown(k, size int) int {
	if size <= 1 || k < size {
		return k
	}
	return k - k%size
}
