package probe

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// marshalRecord returns r as indented JSON ending in a newline.
func marshalRecord(r *Record) ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// WriteRecord writes r to dir/<id>.json atomically.
func WriteRecord(dir string, r *Record) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.ID+".json")
	data, err := marshalRecord(r)
	if err != nil {
		return "", err
	}
	return path, atomicfile.WriteFile(path, data)
}
