package benchmarks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// MergeLoading replaces the data loading section of the report at path with r's, keeping
// every other section of that report as it is (a `vjepa bench --cases loader` run updates
// the loader numbers without re-running the model benchmarks). The file must exist and
// hold the section.
func (r *Report) MergeLoading(path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("merge into %s: %w", path, err)
	}
	text := string(old)
	start := strings.Index(text, "\n"+SectionLoading+"\n")
	if start < 0 {
		return fmt.Errorf("merge into %s: no %q section", path, SectionLoading)
	}
	start++
	end := strings.Index(text[start+len(SectionLoading):], "\n## ")
	if end < 0 {
		return fmt.Errorf("merge into %s: no section after %q", path, SectionLoading)
	}
	end += start + len(SectionLoading) + 1
	var b strings.Builder
	if err := writeSection(&b, SectionLoading, r.writeLoading); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, []byte(text[:start]+b.String()+text[end:]))
}
