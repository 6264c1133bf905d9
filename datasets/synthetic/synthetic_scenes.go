package synthetic

import (
	"math"
	"math/rand/v2"
)

// Object counts and sizes of synthetic-scenes.
const (
	scenesMinObjects = 5
	scenesMaxObjects = 8
	scenesMinRadius  = 0.09
	scenesMaxRadius  = 0.18
)

// scenesClassNames is the single label of synthetic-scenes: it is pretraining data, with no
// classes to probe.
func scenesClassNames() []string { return []string{"scene"} }

// scenesScene draws a synthetic-scenes clip: a subdued background crowded with textured
// objects of every shape and texture of the other two sets, each moving with its own mix of
// the synthetic-motion trajectories (translation, rotation, growth or shrinkage).
//
// It exists for pretraining. In synthetic-motion and synthetic-appearance the one object that
// carries the class covers about 8% of the frame, so almost every masked token the V-JEPA
// objective asks for is plain background, predictable from its position alone, and a short
// run learns next to nothing about objects. In these scenes most tokens hold part of a moving,
// textured object, as most tokens of a real video hold something worth predicting.
func scenesScene(rng *rand.Rand, _ int) synthScene {
	sc := synthScene{bg: randomBackground(rng)}
	bgMean := meanColor(sc.bg.colors[0], sc.bg.colors[1])
	textures := [...]synthTexture{texCheckered, texStriped, texSolid, texHalves, texDots}
	n := scenesMinObjects + rng.IntN(scenesMaxObjects-scenesMinObjects+1)
	for range n {
		o := texturedObject(rng, synthShape(rng.IntN(int(numSynthShapes))), textures[rng.IntN(len(textures))],
			0.1, 0.9, scenesMinRadius, scenesMaxRadius)
		o.da = uniform(rng, -motionMaxTurn, motionMaxTurn)
		o.growth = float32(math.Pow(motionMaxGrowth, float64(uniform(rng, -1, 1))))
		o.colors[0] = contrastingColor(rng, 90, bgMean)
		o.colors[1] = contrastingColor(rng, 90, o.colors[0], bgMean)
		dir, dist := uniform(rng, 0, 2*math.Pi), uniform(rng, 0, motionMaxTravel)
		o.dx = dist * float32(math.Cos(float64(dir)))
		o.dy = dist * float32(math.Sin(float64(dir)))
		sc.objects = append(sc.objects, o)
	}
	return sc
}
