package datasets

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected indices below were computed with the official numpy code of
// VideoDataset.loadvideo_decord (numpy 1.24), with the random window ends given in ends.
// Where the segments' clips are one clip shifted by a fixed stride, segments writes them out.
func TestClipIndicesMatchesOfficial(t *testing.T) {
	tests := []struct {
		name      string
		numFrames int
		p         SamplingParams
		ends      []int // random window ends, in call order (nil: deterministic)
		want      [][]int
	}{
		{"pretrain long deterministic", 300, SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: 1}, nil,
			[][]int{{0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63}}},
		{"pretrain long random end", 300, PretrainSampling(), []int{200},
			[][]int{{136, 140, 144, 148, 153, 157, 161, 165, 170, 174, 178, 182, 187, 191, 195, 199}}},
		{"pretrain end at minimum", 100, PretrainSampling(), []int{64},
			[][]int{{0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63}}},
		{"pretrain exactly clip_len", 64, PretrainSampling(), nil,
			[][]int{{0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63}}},
		{"pretrain short pads last frame", 30, PretrainSampling(), nil,
			[][]int{{0, 5, 10, 15, 20, 25, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29}}},
		{"pretrain very short", 3, PretrainSampling(), nil,
			[][]int{{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}}},
		{"k400 8 segments 250 frames", 250, ProbeSampling(8, true), nil,
			segments([]int{0, 4, 9, 13, 18, 22, 27, 31, 36, 40, 45, 49, 54, 58, 62, 62}, 26, 8)},
		{"k400 8 segments 300 frames", 300, ProbeSampling(8, false), nil,
			segments([]int{0, 4, 9, 13, 18, 22, 27, 31, 36, 40, 45, 49, 54, 58, 62, 62}, 33, 8)},
		{"ssv2 2 segments short video repeats the clip", 50, ProbeSampling(2, true), nil, [][]int{
			{0, 4, 8, 13, 17, 22, 26, 31, 35, 40, 44, 48, 48, 48, 48, 48},
			{0, 4, 8, 13, 17, 22, 26, 31, 35, 40, 44, 48, 48, 48, 48, 48}}},
		{"ssv2 2 segments long random", 200, ProbeSampling(2, true), []int{70, 99}, [][]int{
			{6, 10, 14, 18, 23, 27, 31, 35, 40, 44, 48, 52, 57, 61, 65, 69},
			{135, 139, 143, 147, 152, 156, 160, 164, 169, 173, 177, 181, 186, 190, 194, 198}}},
		{"3 segments no overlap short", 90, SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: 3}, nil,
			segments([]int{0, 5, 10, 15, 20, 25, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29}, 30, 3)},
		{"8 frames step 2", 40, SamplingParams{FramesPerClip: 8, FrameStep: 2}, nil,
			[][]int{{0, 2, 4, 6, 9, 11, 13, 15}}},
		{"overlap long video 4 segments random", 1000, ProbeSampling(4, true), []int{100, 150, 200, 249}, [][]int{
			{36, 40, 44, 48, 53, 57, 61, 65, 70, 74, 78, 82, 87, 91, 95, 99},
			{336, 340, 344, 348, 353, 357, 361, 365, 370, 374, 378, 382, 387, 391, 395, 399},
			{636, 640, 644, 648, 653, 657, 661, 665, 670, 674, 678, 682, 687, 691, 695, 699},
			{935, 939, 943, 947, 952, 956, 960, 964, 969, 973, 977, 981, 986, 990, 994, 998}}},
		{"overlap 2 frames", 2, ProbeSampling(1, true), nil,
			[][]int{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			draw := func(lo, hi int) int {
				require.Less(t, calls, len(tt.ends), "unexpected random draw")
				e := tt.ends[calls]
				require.True(t, lo <= e && e < hi, "end %d outside [%d,%d)", e, lo, hi)
				calls++
				return e
			}
			got, err := clipIndices(tt.numFrames, 30, tt.p, draw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(tt.ends), calls)
		})
	}
}

func TestClipIndicesRandomRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := PretrainSampling()
	seen := map[int]bool{}
	for range 500 {
		got, err := ClipIndices(100, 30, p, rng)
		require.NoError(t, err)
		require.Len(t, got, 1)
		first := got[0][0]
		require.True(t, first >= 0 && got[0][15] <= 98, "indices %v", got[0])
		seen[first] = true
	}
	// end is uniform in [64, 100): start in [0, 36).
	assert.Len(t, seen, 36)
}

func TestClipIndicesFrameStepFromDurationAndFPS(t *testing.T) {
	p := SamplingParams{FramesPerClip: 16, Duration: 2}
	step, err := p.FrameStepFor(29.97)
	require.NoError(t, err)
	assert.Equal(t, 3, step) // int(2*29.97/16) = int(3.746)
	p = SamplingParams{FramesPerClip: 16, FPS: 15}
	step, err = p.FrameStepFor(29.97)
	require.NoError(t, err)
	assert.Equal(t, 2, step) // ceil(29.97)//15
	_, err = SamplingParams{FramesPerClip: 16, Duration: 0.1}.FrameStepFor(30)
	assert.Error(t, err)
}

func TestClipIndicesErrors(t *testing.T) {
	tests := []struct {
		name      string
		numFrames int
		p         SamplingParams
		tooShort  bool
	}{
		{"no frames", 0, PretrainSampling(), true},
		{"fewer frames than clips", 2, SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: 3}, true},
		{"single frame with overlap", 1, ProbeSampling(2, false), true},
		{"filtered short video", 63, SamplingParams{FramesPerClip: 16, FrameStep: 4, FilterShortVideos: true}, true},
		{"zero frames per clip", 100, SamplingParams{FrameStep: 4}, false},
		{"zero frame step", 100, SamplingParams{FramesPerClip: 16}, false},
		{"random without rng", 300, PretrainSampling(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ClipIndices(tt.numFrames, 30, tt.p, nil)
			require.Error(t, err)
			if tt.tooShort {
				assert.ErrorIs(t, err, ErrTooShort)
			}
		})
	}
}

func TestLinspaceMatchesNumpy(t *testing.T) {
	// numpy.linspace(0, 64, 16) and numpy.linspace(0, 7, 3).
	assert.Equal(t, []float64{0, 4.266666666666667, 8.533333333333333, 12.8, 17.066666666666666,
		21.333333333333332, 25.6, 29.866666666666667, 34.13333333333333, 38.4, 42.666666666666664,
		46.93333333333333, 51.2, 55.46666666666667, 59.733333333333334, 64}, linspace(0, 64, 16))
	assert.Equal(t, []float64{0, 3.5, 7}, linspace(0, 7, 3))
	assert.Equal(t, []float64{5}, linspace(5, 9, 1))
	assert.Empty(t, linspace(0, 9, 0))
}

// segments is the clips of n segments that start stride frames apart: first, shifted.
func segments(first []int, stride, n int) [][]int {
	out := make([][]int, n)
	for k := range out {
		out[k] = make([]int, len(first))
		for i, f := range first {
			out[k][i] = f + k*stride
		}
	}
	return out
}
