package media

// Frames is a decoded clip before any transform: uint8 RGB, layout [T][H][W][3] flattened
// (the layout decord returns in the official code).
type Frames struct {
	T, H, W int
	Pix     []uint8 // len T*H*W*3
}

// Clip is a transformed clip ready for the model: float32, layout [3][T][H][W] flattened
// (channels first, then time: the official [C,T,H,W] layout of one sample).
type Clip struct {
	T, H, W int
	Data    []float32 // len 3*T*H*W
}

// Sample is one item of a data set after sampling and transforms.
//
// Views holds the clips indexed [spatial view][temporal segment]: pretraining and probe
// training produce one view and one segment per clip sampling (num_clips segments for the
// multi-clip probe protocols); evaluation produces num_views_per_segment spatial views.
type Sample struct {
	Views [][]Clip
	Label int
	// Source names where the sample came from (a file path, or "synthetic-motion/val/17").
	Source string
}

// FramesToClip converts uint8 frames [T][H][W][3] to a float32 clip [3][T][H][W] with
// values 0..255 and no other change: the identity transform.
func FramesToClip(f *Frames) Clip {
	plane := f.T * f.H * f.W
	c := Clip{T: f.T, H: f.H, W: f.W, Data: make([]float32, 3*plane)}
	for p := range plane {
		c.Data[p] = float32(f.Pix[3*p])
		c.Data[plane+p] = float32(f.Pix[3*p+1])
		c.Data[2*plane+p] = float32(f.Pix[3*p+2])
	}
	return c
}
