package synthetic

import (
	"math"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// synthShape is the outline of a procedurally drawn object.
type synthShape int

const (
	shapeCross synthShape = iota
	shapeDisc
	shapeRing
	shapeSquare
	shapeTriangle
	shapeDiamond
	numSynthShapes
)

// synthTexture is the fill pattern of an object, in the object's own (rotating) frame.
type synthTexture int

const (
	texCheckered synthTexture = iota
	texStriped
	texSolid
	texHalves
	texDots
)

// synthBackgroundKind is the kind of static background of a clip.
type synthBackgroundKind int

const (
	bgGradient synthBackgroundKind = iota
	bgStripes
	bgNoise
	bgChecker
	numSynthBackgrounds
)

// synthRGB is a colour with components in [0, 255].
type synthRGB [3]float32

// synthObject is one object of a scene with a linear trajectory over the normalised clip time
// u in [0, 1]. Positions and radii are fractions of the frame side, so a scene renders the same
// at every resolution.
type synthObject struct {
	shape     synthShape
	texture   synthTexture
	colors    [2]synthRGB
	texPeriod float32 // texture period in object radii
	texAngle  float32 // texture orientation in the object frame, radians

	x0, y0, dx, dy float32 // centre at u: (x0+u*dx, y0+u*dy)
	r0, growth     float32 // radius at u: r0 * growth^u
	a0, da         float32 // angle at u: a0 + u*da (positive is clockwise on screen)
}

// synthBackground is a static textured background.
type synthBackground struct {
	kind    synthBackgroundKind
	colors  [2]synthRGB
	angle   float32 // orientation of gradient, stripes and checker
	freq    float32 // stripes / checker cycles per frame side
	grid    int     // noise lattice size
	lattice []float32
}

// synthScene is everything needed to render one clip: a background and objects drawn in order
// (the last one on top).
type synthScene struct {
	bg      synthBackground
	objects []synthObject
}

// uniform returns a float32 uniformly distributed in [lo, hi).
func uniform(rng *rand.Rand, lo, hi float32) float32 {
	return lo + (hi-lo)*rng.Float32()
}

// randomColor draws a random RGB colour.
func randomColor(rng *rand.Rand) synthRGB {
	return synthRGB{uniform(rng, 0, 255), uniform(rng, 0, 255), uniform(rng, 0, 255)}
}

// colorDistance is the Euclidean distance between two colours, in grey levels.
func colorDistance(a, b synthRGB) float32 {
	var s float32
	for c := range 3 {
		d := a[c] - b[c]
		s += d * d
	}
	return float32(math.Sqrt(float64(s)))
}

// meanColor is the average of two colours.
func meanColor(a, b synthRGB) synthRGB {
	return synthRGB{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2}
}

// contrastingColor draws a colour at least minDist grey levels away from every colour in away,
// giving up (and keeping the best try) after a few attempts.
func contrastingColor(rng *rand.Rand, minDist float32, away ...synthRGB) synthRGB {
	var best synthRGB
	bestDist := float32(-1)
	for range 12 {
		c := randomColor(rng)
		d := float32(math.MaxFloat32)
		for _, a := range away {
			d = min(d, colorDistance(c, a))
		}
		if d >= minDist {
			return c
		}
		if d > bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Contrast range of the two background colours, in grey levels (Euclidean RGB distance). The
// backgrounds are kept subdued on purpose: with a low-contrast background the objects carry
// most of what a masked region holds, which is what both the probe tasks and the
// self-supervised objective are about. (High-contrast stripes and checkers made most of the
// pretraining loss a matter of continuing the background pattern.)
const (
	bgMinContrast = 20
	bgMaxContrast = 45
)

// nearbyColor draws a colour between minDist and maxDist grey levels from c (clamped to the
// RGB cube, so occasionally closer).
func nearbyColor(rng *rand.Rand, c synthRGB, minDist, maxDist float32) synthRGB {
	// A random direction on the sphere, scaled to a random distance in [minDist, maxDist).
	var d synthRGB
	var n float32
	for n < 1e-3 {
		for i := range d {
			d[i] = uniform(rng, -1, 1)
		}
		n = colorDistance(d, synthRGB{})
	}
	dist := uniform(rng, minDist, maxDist)
	var out synthRGB
	for i := range out {
		out[i] = min(max(c[i]+d[i]/n*dist, 0), 255)
	}
	return out
}

// texturedObject draws what every textured object of the built-in sets draws alike, in this
// order: texture period and orientation, centre (both coordinates in [lo, hi)), radius in
// [rMin, rMax) and starting angle. The caller sets the motion and the colours.
func texturedObject(rng *rand.Rand, shape synthShape, texture synthTexture, lo, hi, rMin, rMax float32) synthObject {
	return synthObject{
		shape:     shape,
		texture:   texture,
		texPeriod: uniform(rng, 0.6, 0.9),
		texAngle:  uniform(rng, 0, 2*math.Pi),
		x0:        uniform(rng, lo, hi),
		y0:        uniform(rng, lo, hi),
		r0:        uniform(rng, rMin, rMax),
		a0:        uniform(rng, 0, 2*math.Pi),
	}
}

// randomBackground draws a random static background.
func randomBackground(rng *rand.Rand) synthBackground {
	bg := synthBackground{
		kind:  synthBackgroundKind(rng.IntN(int(numSynthBackgrounds))),
		angle: uniform(rng, 0, 2*math.Pi),
	}
	bg.colors[0] = randomColor(rng)
	bg.colors[1] = nearbyColor(rng, bg.colors[0], bgMinContrast, bgMaxContrast)
	switch bg.kind {
	case bgStripes:
		bg.freq = uniform(rng, 2, 7)
	case bgChecker:
		bg.freq = uniform(rng, 2, 5)
	case bgNoise:
		bg.grid = 3 + rng.IntN(6)
		bg.lattice = make([]float32, (bg.grid+1)*(bg.grid+1))
		for i := range bg.lattice {
			bg.lattice[i] = rng.Float32()
		}
	}
	return bg
}

// render draws the background into pix, a size x size x 3 buffer.
func (bg *synthBackground) render(pix []float32, size int) {
	s := float32(size)
	ca, sa := float32(math.Cos(float64(bg.angle))), float32(math.Sin(float64(bg.angle)))
	c0, c1 := bg.colors[0], bg.colors[1]
	for y := range size {
		fy := (float32(y)+0.5)/s - 0.5
		for x := range size {
			fx := (float32(x)+0.5)/s - 0.5
			var t float32 // mix weight of c1
			switch bg.kind {
			case bgGradient:
				t = clamp01(0.5 + (fx*ca + fy*sa))
			case bgStripes:
				v := math.Sin(2 * math.Pi * float64(bg.freq*(fx*ca+fy*sa)))
				t = 0.5 + 0.5*float32(v)
			case bgChecker:
				u := float64(bg.freq * (fx*ca + fy*sa))
				w := float64(bg.freq * (-fx*sa + fy*ca))
				t = 0.5 + 0.5*float32(math.Sin(math.Pi*u)*math.Sin(math.Pi*w))
			case bgNoise:
				t = bg.noiseAt((fx+0.5)*float32(bg.grid), (fy+0.5)*float32(bg.grid))
			}
			o := (y*size + x) * 3
			for c := range 3 {
				pix[o+c] = c0[c] + t*(c1[c]-c0[c])
			}
		}
	}
}

// noiseAt bilinearly interpolates the noise lattice at lattice coordinates (gx, gy).
func (bg *synthBackground) noiseAt(gx, gy float32) float32 {
	ix, iy := min(int(gx), bg.grid-1), min(int(gy), bg.grid-1)
	tx, ty := gx-float32(ix), gy-float32(iy)
	n := bg.grid + 1
	v00, v10 := bg.lattice[iy*n+ix], bg.lattice[iy*n+ix+1]
	v01, v11 := bg.lattice[(iy+1)*n+ix], bg.lattice[(iy+1)*n+ix+1]
	top := v00 + tx*(v10-v00)
	bot := v01 + tx*(v11-v01)
	return top + ty*(bot-top)
}

// clamp01 clamps v to [0, 1].
func clamp01(v float32) float32 {
	return min(max(v, 0), 1)
}

// shapeDistance is an approximate signed distance (negative inside) from the point (x, y) of
// the object frame to the outline of a shape of unit radius.
func shapeDistance(shape synthShape, x, y float32) float32 {
	ax, ay := abs32(x), abs32(y)
	switch shape {
	case shapeDisc:
		return hypot32(x, y) - 1
	case shapeSquare:
		return max(ax, ay) - 0.8
	case shapeTriangle:
		// Equilateral triangle with circumradius 1 (inradius 0.5), apex up.
		const s3 = 0.8660254
		d := y - 0.5
		d = max(d, -s3*x-0.5*y-0.5)
		return max(d, s3*x-0.5*y-0.5)
	case shapeCross:
		const arm = 0.34
		return min(max(ax-1, ay-arm), max(ax-arm, ay-1))
	case shapeRing:
		return abs32(hypot32(x, y)-0.68) - 0.32
	case shapeDiamond:
		return (ax + ay - 1.05) * 0.70710678
	}
	return 1
}

// textureWeight is the mix weight of the object's second colour at (x, y) of the object frame.
// (ca, sa) are the cosine and sine of o.texAngle.
func (o *synthObject) textureWeight(x, y, ca, sa float32) float32 {
	if o.texture == texSolid {
		return 0
	}
	u := (x*ca + y*sa) / o.texPeriod
	v := (-x*sa + y*ca) / o.texPeriod
	switch o.texture {
	case texStriped:
		return clamp01(0.5 + 2*float32(math.Sin(2*math.Pi*float64(u))))
	case texCheckered:
		return clamp01(0.5 + 3*float32(math.Sin(math.Pi*float64(u))*math.Sin(math.Pi*float64(v))))
	case texHalves:
		return clamp01(0.5 + 4*(x*ca+y*sa))
	case texDots:
		fu, fv := u-float32(math.Floor(float64(u)))-0.5, v-float32(math.Floor(float64(v)))-0.5
		return clamp01(0.5 + 6*(0.3-hypot32(fu, fv)))
	}
	return 0
}

// draw blends the object at normalised clip time u into pix, a size x size x 3 buffer.
func (o *synthObject) draw(pix []float32, size int, u float32) {
	s := float32(size)
	cx, cy := (o.x0+u*o.dx)*s, (o.y0+u*o.dy)*s
	r := o.r0 * float32(math.Pow(float64(o.growth), float64(u))) * s
	if r < 0.5 {
		return
	}
	a := float64(o.a0 + u*o.da)
	ca, sa := float32(math.Cos(a)), float32(math.Sin(a))
	ext := 1.25*r + 1
	x0, x1 := max(int(cx-ext), 0), min(int(cx+ext)+1, size)
	y0, y1 := max(int(cy-ext), 0), min(int(cy+ext)+1, size)
	inv := 1 / r
	c0, c1 := o.colors[0], o.colors[1]
	tca, tsa := float32(math.Cos(float64(o.texAngle))), float32(math.Sin(float64(o.texAngle)))
	for y := y0; y < y1; y++ {
		py := (float32(y) + 0.5 - cy) * inv
		for x := x0; x < x1; x++ {
			px := (float32(x) + 0.5 - cx) * inv
			// World = R(a) * local, so local = R(-a) * world.
			lx := ca*px + sa*py
			ly := -sa*px + ca*py
			alpha := clamp01(0.5 - shapeDistance(o.shape, lx, ly)*r)
			if alpha == 0 {
				continue
			}
			t := o.textureWeight(lx, ly, tca, tsa)
			p := pix[(y*size+x)*3:][:3]
			for c := range 3 {
				col := c0[c] + t*(c1[c]-c0[c])
				p[c] += alpha * (col - p[c])
			}
		}
	}
}

// render draws the scene as T frames of size x size pixels.
func (sc *synthScene) render(frames, size int) *media.Frames {
	plane := size * size * 3
	bg := make([]float32, plane)
	sc.bg.render(bg, size)
	work := make([]float32, plane)
	out := &media.Frames{T: frames, H: size, W: size, Pix: make([]uint8, frames*plane)}
	for t := range frames {
		var u float32
		if frames > 1 {
			u = float32(t) / float32(frames-1)
		}
		copy(work, bg)
		for i := range sc.objects {
			sc.objects[i].draw(work, size, u)
		}
		dst := out.Pix[t*plane : (t+1)*plane]
		for i, v := range work {
			dst[i] = uint8(min(max(v+0.5, 0), 255))
		}
	}
	return out
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

func hypot32(x, y float32) float32 { return float32(math.Sqrt(float64(x*x + y*y))) }
