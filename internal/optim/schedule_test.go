package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCosineWDDecreasing(t *testing.T) {
	c := CosineWDSchedule{RefWD: 0.4, FinalWD: 0.04, TMax: 100}
	assert.InDelta(t, 0.4, c.WD(0), 1e-15)
	assert.InDelta(t, 0.22, c.WD(50), 1e-12)
	assert.InDelta(t, 0.04, c.WD(100), 1e-15)
	assert.GreaterOrEqual(t, c.WD(100), 0.04, "clamped at final_wd from above")
}

func TestWarmupZero(t *testing.T) {
	c := WarmupCosineSchedule{StartLR: 0, RefLR: 1, FinalLR: 0, WarmupSteps: 0, TMax: 10}
	assert.InDelta(t, 0.5*(1+cosPi(0.1)), c.LR(1), 1e-15)
}

func cosPi(x float64) float64 { return math.Cos(math.Pi * x) }
