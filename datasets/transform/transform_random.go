package transform

import (
	"math"
	"math/rand/v2"
)

// The official pipelines draw from Python's random module; these helpers reproduce the
// distributions (not the streams) of the calls they use, on a Go rand.Rand.

// pyUniform is Python's random.uniform(a, b) = a + (b-a)*random().
func pyUniform(rng *rand.Rand, a, b float64) float64 {
	return a + (b-a)*rng.Float64()
}

// pyRandint is Python's random.randint(a, b): an integer uniform on [a, b], both included.
func pyRandint(rng *rand.Rand, a, b int) int {
	return a + rng.IntN(b-a+1)
}

// pyRound is Python 3's round(x) to an integer: halves go to the even neighbour.
func pyRound(x float64) int {
	return int(math.RoundToEven(x))
}
