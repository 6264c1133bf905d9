package backbone

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// CheckpointName is the file name of a pretraining run's checkpoint after step.
func CheckpointName(step int64) string { return fmt.Sprintf("ckpt-%08d.pth.tar", step) }

// ListCheckpoints returns the checkpoints of a pretraining run folder (files named by
// [CheckpointName]), oldest first. A missing folder has none.
func ListCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	type ck struct {
		step int64
		path string
	}
	var cks []ck
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "ckpt-") || !strings.HasSuffix(name, ".pth.tar") {
			continue
		}
		step, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, "ckpt-"), ".pth.tar"), 10, 64)
		if err != nil {
			continue
		}
		cks = append(cks, ck{step, filepath.Join(dir, name)})
	}
	sort.Slice(cks, func(i, j int) bool { return cks[i].step < cks[j].step })
	out := make([]string, len(cks))
	for i, c := range cks {
		out[i] = c.path
	}
	return out, nil
}
