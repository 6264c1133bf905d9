// Package atomicfile writes files so that readers never see a partial one: the content goes
// to a temporary file in the destination's folder, which is synced, closed and then renamed
// over the destination.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Perm is the permission of the files Write and WriteFile create.
const Perm os.FileMode = 0o644

// Write calls fill with a temporary file next to path and, when fill, the sync and the close
// succeed, renames it to path (replacing any existing file) with permissions [Perm]. On any
// error the temporary file is removed and path is left as it was. Errors name path.
func Write(path string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(Perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteFile writes data to path atomically, like [Write].
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
