package datasets

import (
	"context"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
)

// Dataset is a random-access collection of samples. Sample must be safe for concurrent use by
// several goroutines; all randomness comes from rng so that results are deterministic given
// the loader's seed.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// NumClasses is the number of labels (labels are 0..NumClasses-1).
	NumClasses() int
	// Sample decodes, samples and transforms sample i.
	Sample(ctx context.Context, i int, rng *rand.Rand) (*media.Sample, error)
}

// Fingerprinter is implemented by data sets that can name their content: two data sets with
// the same fingerprint serve the same samples. Caches of derived data (frozen features) key
// on it, so a change of the data (e.g. a new version of a built-in set) never reuses stale
// entries.
type Fingerprinter interface {
	Fingerprint() string
}

// The built-in data sets are data sets.
var (
	_ Dataset       = (*synthetic.Dataset)(nil)
	_ Fingerprinter = (*synthetic.Dataset)(nil)
)
