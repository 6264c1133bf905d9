package probe

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFeatureCacheRoundTrip(t *testing.T) {
	c := FeatureCache{Dir: t.TempDir()}
	fs := &FeatureSet{Tokens: 2, Dim: 3, Views: 2, Labels: []int32{1, 0}, NumClasses: 2, ClassNames: []string{"a", "b"},
		Data: [][]float32{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12}}}
	key := c.Key("pretrained", "abc", 3)
	require.NotEqual(t, key, c.Key("random", "abc", 3))
	miss, err := c.Load(key)
	require.NoError(t, err)
	require.Nil(t, miss)
	require.NoError(t, c.Save(key, fs))
	got, err := c.Load(key)
	require.NoError(t, err)
	require.Equal(t, fs, got)
	// No directory: no caching at all.
	none := FeatureCache{}
	require.NoError(t, none.Save(key, fs))
	got, err = none.Load(key)
	require.NoError(t, err)
	require.Nil(t, got)
}
