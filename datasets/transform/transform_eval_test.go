package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func TestEvalVideoTransformViewOffsets(t *testing.T) {
	tests := []struct {
		name     string
		h, w     int
		views    int
		resized  [2]int // h, w after the short-side resize
		expected []cropBox
	}{
		{"landscape 3 views", 256, 340, 3, [2]int{224, 297},
			[]cropBox{{0, 0, 224, 224}, {0, 36, 224, 224}, {0, 72, 224, 224}}},
		{"portrait 3 views", 340, 256, 3, [2]int{297, 224},
			[]cropBox{{0, 0, 224, 224}, {36, 0, 224, 224}, {72, 0, 224, 224}}},
		{"square 3 views", 300, 300, 3, [2]int{224, 224},
			[]cropBox{{0, 0, 224, 224}, {0, 0, 224, 224}, {0, 0, 224, 224}}},
		// One view: short side int(224*256/224) = 256 (already there), centre crop.
		{"landscape 1 view", 256, 340, 1, [2]int{256, 340}, []cropBox{{16, 58, 224, 224}}},
		{"portrait 1 view", 300, 240, 1, [2]int{320, 256}, []cropBox{{48, 16, 224, 224}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewEvalVideo(224, tc.views)
			require.NoError(t, err)
			f := randomFrames(1, 2, tc.h, tc.w)
			views, err := e.ApplyViews(f, nil)
			require.NoError(t, err)
			require.Len(t, views, tc.views)

			short := 224
			if tc.views == 1 {
				short = 256
			}
			rh, rw := tc.h, tc.w
			if !((tc.w <= tc.h && tc.w == short) || (tc.h <= tc.w && tc.h == short)) {
				rh, rw = cv2ShortSideSize(tc.h, tc.w, short)
			}
			require.Equal(t, tc.resized, [2]int{rh, rw})
			require.Equal(t, tc.expected, e.viewOffsets(rh, rw))

			// Content: view i, frame t is the window of the cv2-resized frame, normalized.
			norm := ImageNetNormalization().affine()
			for ti := 0; ti < f.T; ti++ {
				resized := resizeCV2Linear(frameImage(f, ti), rw, rh)
				for i, box := range tc.expected {
					want := newClip(1, 224, 224)
					resized.writeWindowPlanes(box.Top, box.Left, 224, 224, norm, framePlanes(want, 0))
					got := framePlanes(views[i], ti)
					for c := 0; c < 3; c++ {
						require.Equal(t, framePlanes(want, 0)[c], got[c], "view %d frame %d channel %d", i, ti, c)
					}
				}
			}
		})
	}
}

func TestEvalVideoTransformErrors(t *testing.T) {
	_, err := NewEvalVideo(0, 3)
	assert.Error(t, err)
	_, err = NewEvalVideo(224, 0)
	assert.Error(t, err)
	e, err := NewEvalVideo(16, 3)
	require.NoError(t, err)
	_, err = e.ApplyViews(&media.Frames{T: 1, H: 2, W: 2, Pix: make([]uint8, 3)}, nil)
	assert.ErrorContains(t, err, "eval video transform")
	// Apply returns the first view.
	f := randomFrames(3, 2, 20, 30)
	views, err := e.ApplyViews(f, nil)
	require.NoError(t, err)
	first, err := e.Apply(f, nil)
	require.NoError(t, err)
	assert.Equal(t, views[0], first)
	assert.Equal(t, 3, e.NumViews())
}
