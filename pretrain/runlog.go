package pretrain

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// File names of the run logs inside a run directory.
const (
	StepLogName        = "train_log.csv"
	DiagnosticsLogName = "diagnostics.csv"
)

// stepLogHeader and diagnosticsLogHeader are the CSV columns, in order.
var (
	stepLogHeader = []string{"step", "epoch", "loss", "lr", "wd", "momentum",
		"grad_norm_enc", "grad_norm_pred", "step_time_s", "data_time_s"}
	diagnosticsLogHeader = []string{"step", "feature_std", "effective_rank", "position_share"}
)

// StepRecord is one row of the per-step training log.
type StepRecord struct {
	Step         int64   // 1-based iteration
	Epoch        int     // 0-based epoch
	Loss         float64 // total loss (mean over mask configurations)
	LR           float64
	WD           float64
	Momentum     float64 // EMA momentum used for this step's target update
	GradNormEnc  float64 // context-encoder gradient norm before clipping
	GradNormPred float64 // predictor gradient norm before clipping
	StepTimeS    float64 // wall time of the step, seconds
	DataTimeS    float64 // time spent waiting for the batch, seconds
}

func (r StepRecord) fields() []string {
	return []string{
		strconv.FormatInt(r.Step, 10), strconv.Itoa(r.Epoch), formatFloat(r.Loss), formatFloat(r.LR),
		formatFloat(r.WD), formatFloat(r.Momentum), formatFloat(r.GradNormEnc), formatFloat(r.GradNormPred),
		formatFloat(r.StepTimeS), formatFloat(r.DataTimeS),
	}
}

// DiagnosticsRecord is one row of the collapse-diagnostics log.
type DiagnosticsRecord struct {
	Step          int64
	FeatureStd    float64
	EffectiveRank float64
	// PositionShare is NaN in logs written before the column existed.
	PositionShare float64
}

func (r DiagnosticsRecord) fields() []string {
	return []string{strconv.FormatInt(r.Step, 10), formatFloat(r.FeatureStd), formatFloat(r.EffectiveRank), formatFloat(r.PositionShare)}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// RunLog appends rows to the two CSV logs of a run directory, flushing every row so that a
// crash loses at most the row being written. It is not safe for concurrent use.
type RunLog struct {
	steps, diags *csvAppender
}

// OpenRunLog opens (creating dir and the files if needed) the logs of the run in dir for
// appending. Rows with a step greater than resumeStep are removed first, so a run resumed
// from the checkpoint of step resumeStep continues its logs without duplicate steps;
// resumeStep 0 starts both logs afresh.
func OpenRunLog(dir string, resumeStep int64) (*RunLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open run log: %w", err)
	}
	steps, err := openCSVAppender(filepath.Join(dir, StepLogName), stepLogHeader, resumeStep)
	if err != nil {
		return nil, err
	}
	diags, err := openCSVAppender(filepath.Join(dir, DiagnosticsLogName), diagnosticsLogHeader, resumeStep)
	if err != nil {
		return nil, errors.Join(err, steps.close())
	}
	return &RunLog{steps: steps, diags: diags}, nil
}

// LogStep appends one training step.
func (l *RunLog) LogStep(r StepRecord) error { return l.steps.write(r.fields()) }

// LogDiagnostics appends one diagnostics measurement.
func (l *RunLog) LogDiagnostics(r DiagnosticsRecord) error { return l.diags.write(r.fields()) }

// Close closes both files.
func (l *RunLog) Close() error { return errors.Join(l.steps.close(), l.diags.close()) }

// csvAppender writes rows to one CSV file, flushing after each.
type csvAppender struct {
	path string
	f    *os.File
	w    *csv.Writer
}

func openCSVAppender(path string, header []string, keepThrough int64) (*csvAppender, error) {
	rows, err := readCSVRows(path, header)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rows = nil
	case err != nil:
		return nil, fmt.Errorf("open run log: %w", err)
	}
	kept := [][]string{header}
	for _, row := range rows {
		step, err := strconv.ParseInt(row[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("open run log %s: bad step %q: %w", path, row[0], err)
		}
		if step <= keepThrough {
			kept = append(kept, row)
		}
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(kept); err != nil {
		return nil, fmt.Errorf("open run log %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("open run log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("open run log: %w", err)
	}
	return &csvAppender{path: path, f: f, w: csv.NewWriter(f)}, nil
}

func (a *csvAppender) write(fields []string) error {
	if a.f == nil {
		return fmt.Errorf("write %s: log is closed", a.path)
	}
	if err := a.w.Write(fields); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	a.w.Flush()
	if err := a.w.Error(); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

func (a *csvAppender) close() error {
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	if err != nil {
		return fmt.Errorf("close %s: %w", a.path, err)
	}
	return nil
}

// ReadStepLog reads a training log written by [RunLog] (a trailing partial row, left by a
// crash mid-write, is ignored).
func ReadStepLog(path string) ([]StepRecord, error) {
	rows, err := readCSVRows(path, stepLogHeader)
	if err != nil {
		return nil, err
	}
	out := make([]StepRecord, len(rows))
	for i, row := range rows {
		p := rowParser{path: path, line: i + 2, row: row}
		out[i] = StepRecord{
			Step: p.int(0), Epoch: int(p.int(1)), Loss: p.float(2), LR: p.float(3), WD: p.float(4),
			Momentum: p.float(5), GradNormEnc: p.float(6), GradNormPred: p.float(7),
			StepTimeS: p.float(8), DataTimeS: p.float(9),
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}

// ReadDiagnosticsLog reads a diagnostics log written by [RunLog].
func ReadDiagnosticsLog(path string) ([]DiagnosticsRecord, error) {
	rows, err := readCSVRows(path, diagnosticsLogHeader)
	if err != nil {
		return nil, err
	}
	out := make([]DiagnosticsRecord, len(rows))
	for i, row := range rows {
		p := rowParser{path: path, line: i + 2, row: row}
		out[i] = DiagnosticsRecord{Step: p.int(0), FeatureStd: p.float(1), EffectiveRank: p.float(2), PositionShare: p.float(3)}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}

// readCSVRows reads a CSV file, checks its header and returns the data rows. An
// unterminated last line (a row cut by a crash) is dropped. Errors wrap fs.ErrNotExist when
// the file is missing.
func readCSVRows(path string, header []string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run log: %w", err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i != len(data)-1 {
		data = data[:i+1]
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read run log %s: %w", path, err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("read run log %s: empty file, want header %v", path, header)
	}
	// A log written before the last columns existed has a prefix of the header: its rows
	// read as NaN in the new columns.
	got := records[0]
	if len(got) == 0 || len(got) > len(header) || !slices.Equal(got, header[:len(got)]) {
		return nil, fmt.Errorf("read run log %s: header %v, want %v", path, records[0], header)
	}
	for i, rec := range records[1:] {
		if len(rec) != len(got) {
			return nil, fmt.Errorf("read run log %s, line %d: %d fields, want %d", path, i+2, len(rec), len(got))
		}
		for len(rec) < len(header) {
			rec = append(rec, "NaN")
		}
		records[i+1] = rec
	}
	return records[1:], nil
}

// rowParser parses the fields of one CSV row, keeping the first error.
type rowParser struct {
	path string
	line int
	row  []string
	err  error
}

func (p *rowParser) int(i int) int64 {
	v, err := strconv.ParseInt(p.row[i], 10, 64)
	p.fail(i, err)
	return v
}

func (p *rowParser) float(i int) float64 {
	v, err := strconv.ParseFloat(p.row[i], 64)
	p.fail(i, err)
	return v
}

func (p *rowParser) fail(i int, err error) {
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("read run log %s, line %d, column %d: %w", p.path, p.line, i+1, err)
	}
}
