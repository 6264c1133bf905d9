package testutil

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTinyPretrainVariant(t *testing.T) {
	v := TinyPretrainVariant("batch_size: 4", "batch_size: 2", "seed: 7", "seed: 11")
	require.Contains(t, v, "  batch_size: 2\n")
	require.Contains(t, v, "meta: {seed: 11}")
	require.NotContains(t, v, "batch_size: 4")
	require.PanicsWithValue(t, `testutil.TinyPretrainVariant: TinyPretrainConfig has no "batch_size: 5"`, func() {
		TinyPretrainVariant("batch_size: 5", "batch_size: 2")
	})
}
