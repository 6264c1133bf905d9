package synthetic

import (
	"math"
	"math/rand/v2"
)

// Shapes and textures of synthetic-appearance, in label order (both alphabetical).
var (
	appearanceShapes   = [...]synthShape{shapeDisc, shapeSquare}
	appearanceTextures = [...]synthTexture{texCheckered, texDots, texHalves, texSolid, texStriped}
)

// appearanceClassNames are the synthetic-appearance class names indexed by label: both shapes
// in every texture, label = shape*5 + texture, which is also the alphabetical order.
//
// The classes are mostly about surface texture, a local property that the self-supervised
// objective must encode to predict masked parts of an object (and that a linear read-out of
// raw patches cannot get, since the texture's colours, scale, phase and orientation are random),
// plus one coarse shape distinction. An earlier design with five outlines (cross, disc, ring,
// square, triangle) in two textures left every backbone at chance after 10 probe epochs.
func appearanceClassNames() []string {
	shapes := [...]string{"disc", "square"}
	textures := [...]string{"checkered", "dots", "halves", "solid", "striped"}
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

	nt := len(appearanceTextures)
	m := texturedObject(rng, appearanceShapes[(label/nt)%len(appearanceShapes)], appearanceTextures[label%nt],
		0.25, 0.75, 0.15, 0.22)
	m.da = uniform(rng, -1.5, 1.5)
	m.growth = float32(math.Pow(1.25, float64(uniform(rng, -1, 1))))
	m.colors[0] = contrastingColor(rng, 90, bgMean)
	m.colors[1] = contrastingColor(rng, 90, m.colors[0], bgMean)
	dir, dist := uniform(rng, 0, 2*math.Pi), uniform(rng, 0, 0.3)
	m.dx = dist * float32(math.Cos(float64(dir)))
	m.dy = dist * float32(math.Sin(float64(dir)))
	sc.objects = append(sc.objects, m)
	return sc
}
