package npy

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// ReadNPZ reads every array of a .npz archive (stored or deflated). The map
// keys are the entry names without the ".npy" suffix.
func ReadNPZ(path string) (map[string]*Array, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("read npz %s: %w", path, err)
	}
	defer zr.Close()
	out := make(map[string]*Array, len(zr.File))
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		key := strings.TrimSuffix(zf.Name, ".npy")
		a, err := readEntry(zf)
		if err != nil {
			return nil, fmt.Errorf("read %s: entry %s: %w", path, zf.Name, err)
		}
		out[key] = a
	}
	return out, nil
}

func readEntry(zf *zip.File) (*Array, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return Read(bufio.NewReaderSize(rc, 1<<16))
}

// WriteNPZ writes arrays as an uncompressed .npz archive (like numpy.savez),
// atomically. Entries are written in sorted key order, each named key+".npy".
func WriteNPZ(path string, arrays map[string]*Array) error {
	keys := make([]string, 0, len(arrays))
	for k := range arrays {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return atomicfile.Write(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, k := range keys {
			ew, err := zw.CreateHeader(&zip.FileHeader{Name: k + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			if err := Write(ew, arrays[k]); err != nil {
				return fmt.Errorf("entry %s: %w", k, err)
			}
		}
		return zw.Close()
	})
}
