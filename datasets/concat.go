package datasets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// Concat joins several data sets end to end, as the official pretraining concatenates its
// list files (unweighted). Labels are kept as each part defines them; NumClasses is the
// largest of the parts.
type Concat struct {
	parts  []Dataset
	starts []int // starts[i] is the global index of parts[i]'s first sample
	n      int
}

var _ Dataset = (*Concat)(nil)

// NewConcat returns the concatenation of parts (at least one, none empty).
func NewConcat(parts ...Dataset) (*Concat, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("concat: no data sets")
	}
	c := &Concat{parts: parts}
	for i, p := range parts {
		if p.Len() == 0 {
			return nil, fmt.Errorf("concat: data set %d is empty", i)
		}
		c.starts = append(c.starts, c.n)
		c.n += p.Len()
	}
	return c, nil
}

// Len is the total number of samples.
func (c *Concat) Len() int { return c.n }

// NumClasses is the largest NumClasses of the parts.
func (c *Concat) NumClasses() int {
	m := 0
	for _, p := range c.parts {
		m = max(m, p.NumClasses())
	}
	return m
}

// Sample returns global sample i.
func (c *Concat) Sample(ctx context.Context, i int, rng *rand.Rand) (*media.Sample, error) {
	if i < 0 || i >= c.n {
		return nil, fmt.Errorf("concat: index %d out of range [0,%d)", i, c.n)
	}
	k := sort.Search(len(c.starts), func(j int) bool { return c.starts[j] > i }) - 1
	return c.parts[k].Sample(ctx, i-c.starts[k], rng)
}
