package benchmarks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// WriteMarkdown renders r and writes it to path atomically (a temporary file in the same
// folder, then a rename), creating the folder if needed.
func (r *Report) WriteMarkdown(path string) error {
	text, err := r.Markdown()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, []byte(text))
}
