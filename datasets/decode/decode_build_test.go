package decode

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// The documented builds without the in-process decoder compile and pass vet: without cgo,
// and with cgo but the noastiav tag.
func TestBuildsWithoutLibav(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"CGO_ENABLED=0", []string{"CGO_ENABLED=0"}, nil},
		{"-tags noastiav", nil, []string{"-tags", "noastiav"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("go", append(append([]string{"vet"}, tc.args...), ".")...)
			cmd.Env = append(os.Environ(), tc.env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
}
