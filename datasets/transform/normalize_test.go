package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImageNetNormalizationConstants(t *testing.T) {
	n := ImageNetNormalization()
	assert.Equal(t, [3]float64{0.485, 0.456, 0.406}, n.Mean)
	assert.Equal(t, [3]float64{0.229, 0.224, 0.225}, n.Std)
	f := n.affine()
	for c := 0; c < 3; c++ {
		// v = 255*mean maps to 0; v = 255*(mean+std) maps to 1; pretrain's (v-255m)/(255s).
		assert.InDelta(t, 0, float64(f.a[c])*255*n.Mean[c]+float64(f.b[c]), 1e-6)
		assert.InDelta(t, 1, float64(f.a[c])*255*(n.Mean[c]+n.Std[c])+float64(f.b[c]), 1e-6)
		for _, v := range []float64{0, 17, 128, 255} {
			want := (v - 255*n.Mean[c]) / (255 * n.Std[c])
			assert.InDelta(t, want, float64(f.a[c])*v+float64(f.b[c]), 1e-5)
		}
	}
	assert.Equal(t, n, Normalization{}.orDefault())
	assert.Error(t, Normalization{Mean: n.Mean}.validate())
	assert.NoError(t, n.validate())
}
