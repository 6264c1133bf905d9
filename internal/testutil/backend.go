package testutil

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/stretchr/testify/require"
)

// Backend returns a new instance of the pure Go backend, failing the test when it cannot
// be created.
func Backend(t testing.TB) compute.Backend {
	t.Helper()
	backend, err := gobackend.New("")
	require.NoError(t, err)
	return backend
}
