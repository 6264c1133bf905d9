package datasets

import (
	"context"
	"math/rand/v2"
)

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

// Dataset is a random-access collection of samples. Sample must be safe for concurrent use by
// several goroutines; all randomness comes from rng so that results are deterministic given
// the loader's seed.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// NumClasses is the number of labels (labels are 0..NumClasses-1).
	NumClasses() int
	// Sample decodes, samples and transforms sample i.
	Sample(ctx context.Context, i int, rng *rand.Rand) (*Sample, error)
}

// Fingerprinter is implemented by data sets that can name their content: two data sets with
// the same fingerprint serve the same samples. Caches of derived data (frozen features) key
// on it, so a change of the data (e.g. a new version of a built-in set) never reuses stale
// entries.
type Fingerprinter interface {
	Fingerprint() string
}
