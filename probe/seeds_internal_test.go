package probe

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vjepa-go/vjepa/datasets"
)

// fixedLen is a data set stand-in for the cache key: only its length is read.
type fixedLen struct{ datasets.Dataset }

func (fixedLen) Len() int { return 10 }

// TestFeatureKeyIgnoresProbeSeed: for data on disk every probe seed reads the same cached
// features; a built-in set's seed draws other clips, so its key changes.
func TestFeatureKeyIgnoresProbeSeed(t *testing.T) {
	tests := []struct {
		name      string
		train     string
		sameAcros bool
	}{
		{"video list", "/data/k400/train.csv", true},
		{"built-in set", "synthetic-motion", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Experiment{Data: DataSpec{Train: tt.train, Val: tt.train}}
			info := BackboneInfo{Init: InitPretrained, CheckpointSHA256: "abc"}
			key := func(probeSeed uint64) string {
				data := e.Data
				data.Seed = e.featureSeed(probeSeed)
				return e.featureKey(info, data, e.featureSeed(probeSeed), "train", fixedLen{})
			}
			if tt.sameAcros {
				assert.Equal(t, key(0), key(1))
				assert.Equal(t, key(0), key(7))
			} else {
				assert.NotEqual(t, key(0), key(1))
			}
			// The backbone still matters.
			other := key(0)
			info.CheckpointSHA256 = "def"
			assert.NotEqual(t, other, key(0))
		})
	}
}
