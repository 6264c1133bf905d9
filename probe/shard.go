package probe

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one of Count slices of a feature extraction: shard Index (0-based) encodes only
// its contiguous range of every split's parts into the shared feature cache, so Count
// processes (one per GPU, on any number of hosts sharing the cache folder) extract a data set
// together. The zero Shard is the whole extraction.
type Shard struct {
	Index, Count int
}

// ParseShard reads "I/N" (I in 0…N-1), as the --shard flag takes it.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, e.g. 0/2", s)
	}
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want I/N with whole numbers, e.g. 0/2", s)
	}
	sh := Shard{Index: index, Count: count}
	return sh, sh.Validate()
}

// Validate reports a shard whose index is outside 0…Count-1.
func (s Shard) Validate() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d/%d: the index runs from 0 to the count minus one (0/%d … %d/%d)", s.Index, s.Count,
			max(s.Count, 1), max(s.Count, 1)-1, max(s.Count, 1))
	}
	return nil
}

// orWhole is s, or the whole extraction (shard 0/1) for the zero Shard.
func (s Shard) orWhole() Shard {
	if s.Count == 0 {
		return Shard{Index: 0, Count: 1}
	}
	return s
}

// String is "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Parts is the range [lo, hi) of the parts (out of total) that shard s extracts: contiguous,
// and sizes differing by at most one between shards.
func (s Shard) Parts(total int) (lo, hi int) {
	s = s.orWhole()
	return s.Index * total / s.Count, (s.Index + 1) * total / s.Count
}

// owner is the shard (out of count) that extracts part.
func owner(part, total, count int) Shard {
	for i := range count {
		if lo, hi := (Shard{Index: i, Count: count}).Parts(total); part >= lo && part < hi {
			return Shard{Index: i, Count: count}
		}
	}
	return Shard{Index: count - 1, Count: count}
}
