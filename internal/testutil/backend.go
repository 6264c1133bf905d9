package testutil

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/require"
	"github.com/vjepa-go/vjepa/internal/backend/goconfig"
)

// Backend returns a new instance of the pure Go backend, configured as the commands configure
// it (goconfig.GoConfig), failing the test when it cannot be created.
func Backend(t testing.TB) compute.Backend {
	t.Helper()
	be, err := goconfig.New("")
	require.NoError(t, err)
	return be
}
