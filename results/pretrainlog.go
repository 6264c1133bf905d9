package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Series is one named curve over pretraining steps.
type Series struct {
	Name  string
	Steps []float64
	Value []float64
}

// Step and diagnostics logs of a pretraining run folder, as vjepa pretrain writes them.
const (
	pretrainStepLog        = "train_log.csv"
	pretrainDiagnosticsLog = "diagnostics.csv"
)

// PretrainCurves are the curves of one pretraining run folder: the loss from train_log.csv and
// the collapse diagnostics (feature standard deviation, effective rank, share of the variance
// that token position explains) from diagnostics.csv.
// A series whose file or column is absent is left empty.
type PretrainCurves struct {
	Dir           string
	Loss          Series
	FeatureStd    Series
	EffectiveRank Series
	PositionShare Series
}

// ReadPretrainCurves reads <dir>/train_log.csv and <dir>/diagnostics.csv. Columns are found by header
// name, so extra or reordered columns are fine. A missing file is not an error (the series stays
// empty); an unreadable or malformed one is, naming the file and line.
func ReadPretrainCurves(dir string) (PretrainCurves, error) {
	c := PretrainCurves{Dir: dir}
	logSeries, err := readCSVSeries(filepath.Join(dir, pretrainStepLog), "step", "loss")
	if err != nil {
		return c, err
	}
	diag, err := readCSVSeries(filepath.Join(dir, pretrainDiagnosticsLog), "step", "feature_std", "effective_rank", "position_share")
	if err != nil {
		return c, err
	}
	c.Loss, c.FeatureStd, c.EffectiveRank, c.PositionShare = logSeries[0], diag[0], diag[1], diag[2]
	return c, nil
}

// readCSVSeries reads the columns ys against column x. A missing file yields empty series.
func readCSVSeries(path, x string, ys ...string) ([]Series, error) {
	out := make([]Series, len(ys))
	for i, y := range ys {
		out[i].Name = y
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	xi, ok := col[x]
	if !ok {
		return nil, fmt.Errorf("read %s: no %q column in header %v", path, x, header)
	}
	yi := make([]int, len(ys))
	for i, y := range ys {
		idx, ok := col[y]
		if !ok {
			idx = -1 // column absent: series stays empty
		}
		yi[i] = idx
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		xv, err := parseCell(row, xi)
		if err != nil {
			return nil, fmt.Errorf("read %s line %d column %q: %w", path, line, x, err)
		}
		for i, idx := range yi {
			if idx < 0 || idx >= len(row) || strings.TrimSpace(row[idx]) == "" {
				continue
			}
			v, err := parseCell(row, idx)
			if err != nil {
				return nil, fmt.Errorf("read %s line %d column %q: %w", path, line, ys[i], err)
			}
			out[i].Steps = append(out[i].Steps, xv)
			out[i].Value = append(out[i].Value, v)
		}
	}
}

func parseCell(row []string, i int) (float64, error) {
	if i >= len(row) {
		return 0, errors.New("row too short")
	}
	return strconv.ParseFloat(strings.TrimSpace(row[i]), 64)
}
