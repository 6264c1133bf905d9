package datasets

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected indices below were computed with the official numpy code of
// VideoDataset.loadvideo_decord (numpy 1.24), with the random window ends given in ends.
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
		{"k400 8 segments 250 frames", 250, ProbeSampling(8, true), nil, [][]int{
			{0, 4, 9, 13, 18, 22, 27, 31, 36, 40, 45, 49, 54, 58, 62, 62},
			{26, 30, 35, 39, 44, 48, 53, 57, 62, 66, 71, 75, 80, 84, 88, 88},
			{52, 56, 61, 65, 70, 74, 79, 83, 88, 92, 97, 101, 106, 110, 114, 114},
			{78, 82, 87, 91, 96, 100, 105, 109, 114, 118, 123, 127, 132, 136, 140, 140},
			{104, 108, 113, 117, 122, 126, 131, 135, 140, 144, 149, 153, 158, 162, 166, 166},
			{130, 134, 139, 143, 148, 152, 157, 161, 166, 170, 175, 179, 184, 188, 192, 192},
			{156, 160, 165, 169, 174, 178, 183, 187, 192, 196, 201, 205, 210, 214, 218, 218},
			{182, 186, 191, 195, 200, 204, 209, 213, 218, 222, 227, 231, 236, 240, 244, 244}}},
		{"k400 8 segments 300 frames", 300, ProbeSampling(8, false), nil, [][]int{
			{0, 4, 9, 13, 18, 22, 27, 31, 36, 40, 45, 49, 54, 58, 62, 62},
			{33, 37, 42, 46, 51, 55, 60, 64, 69, 73, 78, 82, 87, 91, 95, 95},
			{66, 70, 75, 79, 84, 88, 93, 97, 102, 106, 111, 115, 120, 124, 128, 128},
			{99, 103, 108, 112, 117, 121, 126, 130, 135, 139, 144, 148, 153, 157, 161, 161},
			{132, 136, 141, 145, 150, 154, 159, 163, 168, 172, 177, 181, 186, 190, 194, 194},
			{165, 169, 174, 178, 183, 187, 192, 196, 201, 205, 210, 214, 219, 223, 227, 227},
			{198, 202, 207, 211, 216, 220, 225, 229, 234, 238, 243, 247, 252, 256, 260, 260},
			{231, 235, 240, 244, 249, 253, 258, 262, 267, 271, 276, 280, 285, 289, 293, 293}}},
		{"ssv2 2 segments short video repeats the clip", 50, ProbeSampling(2, true), nil, [][]int{
			{0, 4, 8, 13, 17, 22, 26, 31, 35, 40, 44, 48, 48, 48, 48, 48},
			{0, 4, 8, 13, 17, 22, 26, 31, 35, 40, 44, 48, 48, 48, 48, 48}}},
		{"ssv2 2 segments long random", 200, ProbeSampling(2, true), []int{70, 99}, [][]int{
			{6, 10, 14, 18, 23, 27, 31, 35, 40, 44, 48, 52, 57, 61, 65, 69},
			{135, 139, 143, 147, 152, 156, 160, 164, 169, 173, 177, 181, 186, 190, 194, 198}}},
		{"3 segments no overlap short", 90, SamplingParams{FramesPerClip: 16, FrameStep: 4, NumClips: 3}, nil, [][]int{
			{0, 5, 10, 15, 20, 25, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29},
			{30, 35, 40, 45, 50, 55, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59},
			{60, 65, 70, 75, 80, 85, 89, 89, 89, 89, 89, 89, 89, 89, 89, 89}}},
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
