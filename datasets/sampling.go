package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrTooShort reports a video with too few frames to sample a clip from.
var ErrTooShort = errors.New("video too short")

// SamplingParams selects which frames of a video make up the clips of one sample, with the
// meaning of the official VideoDataset arguments (docs/formats.md#clip-sampling).
type SamplingParams struct {
	// FramesPerClip is the number of frames of each clip (frames_per_clip, 16 for V-JEPA).
	FramesPerClip int
	// FrameStep is the stride between sampled frames (frame_step, 4 for V-JEPA). It is
	// ignored when Duration or FPS is set.
	FrameStep int
	// Duration, when > 0, sets the clip duration in seconds instead of FrameStep:
	// frame step = int(Duration * fps / FramesPerClip) (the official `duration`).
	Duration float64
	// FPS, when > 0, sets the sampling rate in frames per second instead of FrameStep:
	// frame step = ceil(fps) // FPS (the V-JEPA 2 `fps` argument).
	FPS int
	// NumClips is the number of temporal segments, one clip each (num_clips; 1 for
	// pretraining, num_segments for the probes). 0 means 1.
	NumClips int
	// RandomClipSampling draws the clip window at random inside each segment when the
	// segment is longer than the window (random_clip_sampling).
	RandomClipSampling bool
	// AllowClipOverlap lets the clips of short videos overlap (allow_clip_overlap).
	AllowClipOverlap bool
	// FilterShortVideos rejects videos shorter than the clip window with ErrTooShort
	// (filter_short_videos) instead of padding them.
	FilterShortVideos bool
}

// PretrainSampling is the V-JEPA pretraining sampling: one random 16-frame clip with frame
// step 4, no overlap (jepa:configs/pretrain/vitl16.yaml).
func PretrainSampling() SamplingParams {
	return SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: 1, RandomClipSampling: true}
}

// ProbeSampling is the attentive-probe sampling: numSegments 16-frame clips with frame step
// 4, overlap allowed (8 segments for K400, 2 for SSv2). random selects random windows inside
// long segments, as the official loaders do for training and validation alike; pass false
// for fully deterministic evaluation segments.
func ProbeSampling(numSegments int, random bool) SamplingParams {
	return SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: numSegments,
		RandomClipSampling: random, AllowClipOverlap: true}
}

func (p SamplingParams) numClips() int {
	if p.NumClips <= 0 {
		return 1
	}
	return p.NumClips
}

// Validate reports parameters that cannot sample a clip.
func (p SamplingParams) Validate() error {
	switch {
	case p.FramesPerClip < 1:
		return fmt.Errorf("sampling: frames per clip %d < 1", p.FramesPerClip)
	case p.NumClips < 0:
		return fmt.Errorf("sampling: number of clips %d < 0", p.NumClips)
	case p.Duration < 0 || math.IsNaN(p.Duration):
		return fmt.Errorf("sampling: invalid duration %v", p.Duration)
	case p.FPS < 0:
		return fmt.Errorf("sampling: fps %d < 0", p.FPS)
	case p.Duration == 0 && p.FPS == 0 && p.FrameStep < 1:
		return fmt.Errorf("sampling: frame step %d < 1", p.FrameStep)
	case p.Duration > 0 && p.FPS > 0:
		return errors.New("sampling: set at most one of duration and fps")
	}
	return nil
}

// FrameStepFor is the frame step used for a video whose average frame rate is fps.
func (p SamplingParams) FrameStepFor(fps float64) (int, error) {
	step := p.FrameStep
	switch {
	case p.Duration > 0:
		// Python evaluates duration * fps / fpc left to right, then int() truncates.
		step = int(p.Duration * fps / float64(p.FramesPerClip))
	case p.FPS > 0:
		step = int(math.Ceil(fps)) / p.FPS
	}
	if step < 1 {
		return 0, fmt.Errorf("sampling: frame step %d < 1 for a video at %g fps", step, fps)
	}
	return step, nil
}

// ClipIndices computes the frame indices of the clips of one sample of a video of numFrames
// frames at fps frames per second, exactly as the official VideoDataset.loadvideo_decord
// (docs/formats.md#clip-indices): one slice of FramesPerClip indices per clip. rng draws the
// random window ends (used only when RandomClipSampling is set and a segment is longer than
// the window).
//
// Short segments are padded by repeating their last frame; a video with fewer frames than
// clips (or a single frame with overlap allowed), on which the official code would index
// frame -1, is rejected with ErrTooShort.
func ClipIndices(numFrames int, fps float64, p SamplingParams, rng *rand.Rand) ([][]int, error) {
	var draw func(lo, hi int) int
	if rng != nil {
		draw = func(lo, hi int) int { return lo + rng.IntN(hi-lo) }
	}
	return clipIndices(numFrames, fps, p, draw)
}

// clipIndices is ClipIndices with the random window end drawn by draw(lo, hi), uniform in
// [lo, hi) like np.random.randint.
func clipIndices(numFrames int, fps float64, p SamplingParams, draw func(lo, hi int) int) ([][]int, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	fstp, err := p.FrameStepFor(fps)
	if err != nil {
		return nil, err
	}
	fpc := p.FramesPerClip
	nc := p.numClips()
	clipLen := fpc * fstp
	if numFrames < 1 {
		return nil, fmt.Errorf("%w: %d frames", ErrTooShort, numFrames)
	}
	if p.FilterShortVideos && numFrames < clipLen {
		return nil, fmt.Errorf("%w: %d frames, clip needs %d", ErrTooShort, numFrames, clipLen)
	}
	partLen := numFrames / nc
	clips := make([][]int, nc)
	for i := range nc {
		switch {
		case partLen > clipLen:
			end := clipLen
			if p.RandomClipSampling {
				if draw == nil {
					return nil, errors.New("sampling: random clip sampling needs an rng")
				}
				end = draw(clipLen, partLen) // np.random.randint(clip_len, partition_len)
			}
			clips[i] = windowIndices(end-clipLen, end, fpc, i*partLen)
		case !p.AllowClipOverlap:
			if partLen < 1 {
				return nil, fmt.Errorf("%w: %d frames for %d clips", ErrTooShort, numFrames, nc)
			}
			clips[i] = paddedIndices(partLen, fstp, fpc, i*partLen)
		default:
			sampleLen := min(clipLen, numFrames) - 1
			if sampleLen < 1 {
				return nil, fmt.Errorf("%w: %d frames", ErrTooShort, numFrames)
			}
			clipStep := 0
			if numFrames > clipLen {
				clipStep = (numFrames - clipLen) / (nc - 1)
			}
			clips[i] = paddedIndices(sampleLen, fstp, fpc, i*clipStep)
		}
	}
	return clips, nil
}

// windowIndices is int(clip(linspace(start, end, n), start, end-1)) + offset.
func windowIndices(start, end, n, offset int) []int {
	lin := linspace(float64(start), float64(end), n)
	out := make([]int, n)
	for k, v := range lin {
		out[k] = int(clip(v, float64(start), float64(end-1))) + offset
	}
	return out
}

// paddedIndices is int(clip(concat(linspace(0, last, last//step), [last]*(n - last//step)),
// 0, last-1)) + offset: the official handling of segments not longer than the window.
func paddedIndices(last, step, n, offset int) []int {
	m := last / step
	lin := linspace(0, float64(last), m)
	out := make([]int, n)
	for k := range n {
		v := float64(last)
		if k < m {
			v = lin[k]
		}
		out[k] = int(clip(v, 0, float64(last-1))) + offset
	}
	return out
}

// linspace reproduces numpy.linspace(start, stop, num) (endpoint included) bit for bit.
func linspace(start, stop float64, num int) []float64 {
	if num <= 0 {
		return nil
	}
	out := make([]float64, num)
	div := float64(num - 1)
	delta := stop - start
	if num == 1 {
		out[0] = start
		return out
	}
	step := delta / div
	for k := range out {
		if step == 0 {
			out[k] = float64(float64(k)/div)*delta + start
		} else {
			// The explicit conversion forbids fusing into an FMA, which numpy does not use.
			out[k] = float64(float64(k)*step) + start
		}
	}
	out[num-1] = stop
	return out
}

// clip is numpy.clip for scalars (the upper bound wins when lo > hi).
func clip(v, lo, hi float64) float64 {
	return min(max(v, lo), hi)
}
