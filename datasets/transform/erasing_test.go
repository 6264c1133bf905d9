package transform

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRandomErasingCube: one box shared by every frame, fresh N(0,1) noise per frame.
func TestRandomErasingCube(t *testing.T) {
	e := newRandomErasing(1, 100)
	rng := testRNG(4)
	const h, w = 40, 50
	for trial := 0; trial < 200; trial++ {
		c := newClip(3, h, w)
		e.apply(&c, rng)
		var masks [3][]bool
		for ti := 0; ti < 3; ti++ {
			m := make([]bool, h*w)
			planes := framePlanes(c, ti)
			for i := range m {
				m[i] = planes[0][i] != 0 || planes[1][i] != 0 || planes[2][i] != 0
			}
			masks[ti] = m
		}
		require.Equal(t, masks[0], masks[1])
		require.Equal(t, masks[0], masks[2])
		count := 0
		for _, v := range masks[0] {
			if v {
				count++
			}
		}
		frac := float64(count) / (h * w)
		assert.GreaterOrEqual(t, frac, 0.02-0.01)
		assert.LessOrEqual(t, frac, 1.0/3+0.02)
		assert.NotEqual(t, framePlanes(c, 0)[0], framePlanes(c, 1)[0], "noise must differ between frames")
	}
}

func TestRandomErasingBoxStatistics(t *testing.T) {
	e := newRandomErasing(1, 10)
	rng := testRNG(6)
	var sumLog, sum, sum2 float64
	n := 0
	for i := 0; i < 3000; i++ {
		b, ok := e.sampleBox(rng, 224, 224)
		if !ok {
			continue
		}
		n++
		require.True(t, b.W < 224 && b.H < 224 && b.Top+b.H <= 224 && b.Left+b.W <= 224)
		ar := float64(b.H) / float64(b.W)
		assert.GreaterOrEqual(t, ar, 0.3*0.8)
		assert.LessOrEqual(t, ar, 1/0.3*1.2)
		sumLog += math.Log(ar)
		v := float64(b.H*b.W) / (224 * 224)
		sum += v
		sum2 += v * v
	}
	assert.Greater(t, n, 2900)
	assert.InDelta(t, 0, sumLog/float64(n), 0.1)
	assert.InDelta(t, (0.02+1.0/3)/2, sum/float64(n), 0.01)

	// The application probability.
	e = newRandomErasing(0.25, 100)
	hits := 0
	for i := 0; i < 4000; i++ {
		if _, ok := e.sampleBox(rng, 64, 64); ok {
			hits++
		}
	}
	assert.InDelta(t, 0.25, float64(hits)/4000, 0.03)
}

func TestRandomErasingNoise(t *testing.T) {
	c := newClip(1, 100, 100)
	e := randomErasing{prob: 1, minArea: 0.3, maxArea: 0.3, minAspect: 1, maxTries: 10}
	e.apply(&c, testRNG(1))
	var sum, sum2 float64
	n := 0
	for _, v := range c.Data {
		if v != 0 {
			sum += float64(v)
			sum2 += float64(v) * float64(v)
			n++
		}
	}
	require.Greater(t, n, 8000)
	assert.InDelta(t, 0, sum/float64(n), 0.05)
	assert.InDelta(t, 1, sum2/float64(n), 0.05)
}
