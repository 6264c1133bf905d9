package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// fileIn returns a new temporary folder and the path of the file name in it, which holds
// existing unless that is nil (with mode 0600, not Perm, so that a test sees the mode a
// write sets).
func fileIn(t *testing.T, name string, existing []byte) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, name)
	if existing != nil {
		require.NoError(t, os.WriteFile(path, existing, 0o600))
	}
	return dir, path
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: no file before the write
		data     []byte
	}{
		{name: "new file", data: []byte("hello\n")},
		{name: "replaces existing", existing: []byte("an older and longer content\n"), data: []byte("new\n")},
		{name: "empty", existing: []byte("old"), data: []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, path := fileIn(t, "out.txt", tc.existing)
			require.NoError(t, WriteFile(path, tc.data))
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.data, got)
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, Perm, info.Mode().Perm())
			require.Equal(t, []string{"out.txt"}, names(t, dir), "temporary file left behind")
		})
	}
}

func TestWriteFillError(t *testing.T) {
	errFill := errors.New("fill failed")
	tests := []struct {
		name     string
		existing []byte
	}{
		{name: "no file before"},
		{name: "existing file kept", existing: []byte("keep me")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, path := fileIn(t, "out.bin", tc.existing)
			err := Write(path, func(w io.Writer) error {
				if _, err := w.Write([]byte("partial")); err != nil {
					return err
				}
				return errFill
			})
			require.ErrorIs(t, err, errFill)
			require.ErrorContains(t, err, path)
			if tc.existing == nil {
				require.Empty(t, names(t, dir), "no file and no temporary file after a failed fill")
				return
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.existing, got)
			require.Equal(t, []string{"out.bin"}, names(t, dir), "temporary file left behind")
		})
	}
}

func TestWriteMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent", "out.txt")
	err := WriteFile(path, []byte("x"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, path)
}
