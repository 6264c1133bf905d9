package datasets

import (
	"math"
	"math/rand/v2"
)

// appearanceClassNames are the synthetic-appearance class names indexed by label: every shape
// in both textures, label = shape*2 + texture, which is also the alphabetical order.
func appearanceClassNames() []string {
	shapes := [...]string{"cross", "disc", "ring", "square", "triangle"}
	textures := [...]string{"checkered", "striped"}
	names := make([]string, 0, len(shapes)*len(textures))
	for _, s := range shapes {
		for _, t := range textures {
			names = append(names, s+"-"+t)
		}
	}
	return names
}

// appearanceScene draws a synthetic-appearance scene of class label: the main object's shape
// and texture are the class; its colours, texture scale, position, size and motion, the
// background and the plain-coloured distractors are random.
func appearanceScene(rng *rand.Rand, label int) synthScene {
	sc := synthScene{bg: randomBackground(rng)}
	bgMean := meanColor(sc.bg.colors[0], sc.bg.colors[1])

	sc.objects = append(sc.objects, randomDistractors(rng, bgMean)...)

	shapes := [...]synthShape{shapeCross, shapeDisc, shapeRing, shapeSquare, shapeTriangle}
	textures := [...]synthTexture{texCheckered, texStriped}
	m := synthObject{
		shape:     shapes[(label/len(textures))%len(shapes)],
		texture:   textures[label%len(textures)],
		texPeriod: uniform(rng, 0.45, 0.7),
		texAngle:  uniform(rng, 0, 2*math.Pi),
		x0:        uniform(rng, 0.25, 0.75),
		y0:        uniform(rng, 0.25, 0.75),
		r0:        uniform(rng, 0.1, 0.17),
		a0:        uniform(rng, 0, 2*math.Pi),
		da:        uniform(rng, -1.5, 1.5),
		growth:    float32(math.Pow(1.25, float64(uniform(rng, -1, 1)))),
	}
	m.colors[0] = contrastingColor(rng, 90, bgMean)
	m.colors[1] = contrastingColor(rng, 90, m.colors[0], bgMean)
	dir, dist := uniform(rng, 0, 2*math.Pi), uniform(rng, 0, 0.3)
	m.dx = dist * float32(math.Cos(float64(dir)))
	m.dy = dist * float32(math.Sin(float64(dir)))
	sc.objects = append(sc.objects, m)
	return sc
}
