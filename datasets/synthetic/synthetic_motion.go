package synthetic

import (
	"math"
	"math/rand/v2"
)

// Labels of synthetic-motion, in the (alphabetical) order of motionClassNames.
const (
	motionDown = iota
	motionLeft
	motionRight
	motionUp
	motionRotateCCW
	motionRotateCW
	motionShrink
	motionGrow
	numMotionClasses
)

// motionClassNames are the synthetic-motion class names indexed by label.
func motionClassNames() []string {
	return []string{
		"move-down", "move-left", "move-right", "move-up",
		"rotate-ccw", "rotate-cw", "scale-down", "scale-up",
	}
}

// Trajectory ranges of synthetic-motion, as fractions of the frame side over the whole clip.
const (
	motionMinTravel = 0.25 // translation classes: distance travelled
	motionMaxTravel = 0.45
	motionDrift     = 0.08 // nuisance translation of every class, per axis
	motionMinTurn   = 1.6  // rotation classes: radians turned (about 90 to 180 degrees)
	motionMaxTurn   = 3.2
	motionTurnDrift = 0.25 // nuisance rotation of the other classes, radians
	motionMinGrowth = 1.7  // scale classes: size ratio between last and first frame
	motionMaxGrowth = 2.3
	motionSizeDrift = 1.1 // nuisance size ratio of the other classes
)

// motionScene draws a synthetic-motion scene of class label. Everything visible in the first
// frame (background, objects, positions, sizes, angles, colours) is drawn from distributions
// that do not depend on the label; only the trajectory of the main object does.
func motionScene(rng *rand.Rand, label int) synthScene {
	sc := synthScene{bg: randomBackground(rng)}
	bgMean := meanColor(sc.bg.colors[0], sc.bg.colors[1])

	sc.objects = append(sc.objects, randomDistractors(rng, bgMean)...)

	// The main object always has a two-tone texture so that its rotation is visible whatever
	// its outline (a plain disc would not show it).
	textures := [...]synthTexture{texCheckered, texStriped, texHalves, texDots}
	m := texturedObject(rng, synthShape(rng.IntN(int(numSynthShapes))), textures[rng.IntN(len(textures))],
		0.25, 0.75, 0.13, 0.19)
	m.colors[0] = contrastingColor(rng, 90, bgMean)
	m.colors[1] = contrastingColor(rng, 90, m.colors[0], bgMean)

	// Nuisance motion shared by all classes; the class then overrides one component.
	m.dx = uniform(rng, -motionDrift, motionDrift)
	m.dy = uniform(rng, -motionDrift, motionDrift)
	m.da = uniform(rng, -motionTurnDrift, motionTurnDrift)
	m.growth = float32(math.Pow(motionSizeDrift, float64(uniform(rng, -1, 1))))
	travel := uniform(rng, motionMinTravel, motionMaxTravel)
	turn := uniform(rng, motionMinTurn, motionMaxTurn)
	growth := uniform(rng, motionMinGrowth, motionMaxGrowth)
	switch label {
	case motionDown:
		m.dy = travel
	case motionLeft:
		m.dx = -travel
	case motionRight:
		m.dx = travel
	case motionUp:
		m.dy = -travel
	case motionRotateCCW:
		m.da = -turn
	case motionRotateCW:
		m.da = turn
	case motionShrink:
		m.growth = 1 / growth
	case motionGrow:
		m.growth = growth
	}
	sc.objects = append(sc.objects, m)
	return sc
}

// randomDistractors draws up to two small plain-coloured objects moving and turning at random,
// drawn under the main object; they are the same for every class.
func randomDistractors(rng *rand.Rand, bgMean synthRGB) []synthObject {
	var out []synthObject
	for range rng.IntN(3) {
		d := synthObject{
			shape:     synthShape(rng.IntN(int(numSynthShapes))),
			texture:   texSolid,
			texPeriod: 1,
			x0:        uniform(rng, 0.1, 0.9),
			y0:        uniform(rng, 0.1, 0.9),
			r0:        uniform(rng, 0.04, 0.07),
			growth:    1,
			a0:        uniform(rng, 0, 2*math.Pi),
			da:        uniform(rng, -1, 1),
		}
		d.colors[0] = contrastingColor(rng, 70, bgMean)
		d.colors[1] = d.colors[0]
		dir, dist := uniform(rng, 0, 2*math.Pi), uniform(rng, 0, 0.4)
		d.dx = dist * float32(math.Cos(float64(dir)))
		d.dy = dist * float32(math.Sin(float64(dir)))
		out = append(out, d)
	}
	return out
}
