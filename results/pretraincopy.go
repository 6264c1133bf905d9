package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
	"github.com/vjepa-go/vjepa/probe"
)

// pretrainLogsDir is the folder of results/ that holds committed copies of the pretraining
// logs the figures are drawn from, one sub-folder per run (named by slug of its path).
const pretrainLogsDir = "pretrain"

// hasLogs reports whether dir holds a step log or a diagnostics log.
func hasLogs(dir string) bool {
	return fileExists(filepath.Join(dir, pretrainStepLog)) || fileExists(filepath.Join(dir, pretrainDiagnosticsLog))
}

// copyPretrainLogs copies train_log.csv and diagnostics.csv of a local pretraining run folder
// into dst, so that the committed results redraw its figure without the run folder. A missing
// folder or file copies nothing; it returns the paths written.
func copyPretrainLogs(src, dst string) ([]string, error) {
	var written []string
	for _, f := range []string{pretrainStepLog, pretrainDiagnosticsLog} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return written, fmt.Errorf("copy pretraining log: %w", err)
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return written, fmt.Errorf("copy pretraining log: %w", err)
		}
		path := filepath.Join(dst, f)
		if err := atomicfile.WriteFile(path, data); err != nil {
			return written, fmt.Errorf("copy pretraining log: %w", err)
		}
		written = append(written, path)
	}
	return written, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// SavePretrainLogs copies, for every record that names a pretraining run folder, that folder's
// train_log.csv and diagnostics.csv into <resultsDir>/pretrain/<name>/ unless a copy is already
// there, so that the figures of the committed results are redrawn without the local run
// folder. `vjepa probe` calls it when it writes the records (relative run folders are resolved
// against the working directory); it returns the files written.
func SavePretrainLogs(resultsDir string, recs []*probe.Record) ([]string, error) {
	var written []string
	seen := map[string]bool{}
	for _, r := range recs {
		dir := r.Backbone.PretrainRun
		if dir == "" || seen[dir] {
			continue
		}
		seen[dir] = true
		dst := filepath.Join(resultsDir, pretrainLogsDir, slug(dir))
		if hasLogs(dst) {
			continue
		}
		files, err := copyPretrainLogs(dir, dst)
		written = append(written, files...)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
