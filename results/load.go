package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

// Backbone initializations recorded in probe.BackboneInfo.Init.
const (
	InitPretrained = probe.InitPretrained
	InitRandom     = probe.InitRandom
)

// Run is one probe run record together with the file it was read from.
type Run struct {
	File   string // base name of the JSON file, e.g. "2025-01-02-k400.json"
	Record probe.Record
}

// FileProblem is a record file that could not be used.
type FileProblem struct {
	File string // base name of the file
	Err  error
}

// LoadError lists every run record that could not be used, by file name.
type LoadError struct {
	Dir      string
	Problems []FileProblem
}

// Error names every bad file and its problem, one per line.
func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid run record(s) in %s:", len(e.Problems), e.Dir)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %v", p.File, p.Err)
	}
	return b.String()
}

// LoadRuns reads every *.json record in dir, sorted by file name. A missing folder holds no
// runs. Files that are not valid records (malformed JSON, wrong schema, missing or bad required
// fields, duplicate run IDs) are all collected into a *LoadError, returned together with the
// valid runs; callers decide whether to go on.
func LoadRuns(dir string) ([]Run, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	if len(paths) == 0 {
		if _, err := os.Stat(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("runs folder %s: %w", dir, err)
		}
	}
	sort.Strings(paths)
	var runs []Run
	loadErr := &LoadError{Dir: dir}
	byID := map[string]string{}
	for _, path := range paths {
		name := filepath.Base(path)
		rec, err := readRecord(path)
		if err == nil {
			if other, dup := byID[rec.ID]; dup {
				err = fmt.Errorf("run id %q already used by %s", rec.ID, other)
			}
		}
		if err != nil {
			loadErr.Problems = append(loadErr.Problems, FileProblem{File: name, Err: err})
			continue
		}
		byID[rec.ID] = name
		runs = append(runs, Run{File: name, Record: rec})
	}
	if len(loadErr.Problems) > 0 {
		return runs, loadErr
	}
	return runs, nil
}

// readRecord decodes and validates one record file.
func readRecord(path string) (probe.Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return probe.Record{}, err
	}
	var rec probe.Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return probe.Record{}, fmt.Errorf("malformed JSON: %w", err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return probe.Record{}, fmt.Errorf("malformed JSON: %w", err)
	}
	if err := validateRecord(&rec, keys); err != nil {
		return probe.Record{}, err
	}
	return rec, nil
}

// requiredKeys are the top-level fields a record must carry (a zero value is not the same as
// a missing one for top1).
var requiredKeys = []string{"schema", "id", "created", "dataset", "backbone", "protocol", "probe", "top1"}

// validateRecord checks what the tables rely on; it names every problem found.
func validateRecord(r *probe.Record, keys map[string]json.RawMessage) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var missing []string
	for _, k := range requiredKeys {
		if _, ok := keys[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		add("missing field(s) %s", strings.Join(missing, ", "))
	}
	if _, ok := keys["schema"]; ok && r.Schema != probe.RecordSchema {
		add("schema %q, want %q", r.Schema, probe.RecordSchema)
	}
	if _, ok := keys["id"]; ok && strings.TrimSpace(r.ID) == "" {
		add("empty id")
	}
	if _, ok := keys["dataset"]; ok && strings.TrimSpace(r.Dataset) == "" {
		add("empty dataset")
	}
	if _, ok := keys["created"]; ok && r.Created.IsZero() {
		add("zero created time")
	}
	if r.Backbone.Model == "" {
		add("empty backbone.model")
	}
	if r.Backbone.Init != InitPretrained && r.Backbone.Init != InitRandom {
		add("backbone.init %q, want %q or %q", r.Backbone.Init, InitPretrained, InitRandom)
	}
	if r.Probe.Type == "" {
		add("empty probe.type")
	}
	if !validAcc(r.Top1) || !validAcc(r.Top5) {
		add("top1 %v / top5 %v outside [0, 100]", r.Top1, r.Top5)
	}
	if len(r.Heads) > 0 && (r.BestHead < 0 || r.BestHead >= len(r.Heads)) {
		add("best_head %d outside the %d heads", r.BestHead, len(r.Heads))
	}
	for i, s := range r.Seeds {
		if !validAcc(s.Top1) || !validAcc(s.Top5) {
			add("seeds[%d] (seed %d): top1 %v / top5 %v outside [0, 100]", i, s.Seed, s.Top1, s.Top5)
		}
	}
	for i, h := range r.Heads {
		if !validAcc(h.Top1) || !validAcc(h.Top5) {
			add("heads[%d]: top1 %v / top5 %v outside [0, 100]", i, h.Top1, h.Top5)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func validAcc(v float64) bool { return !math.IsNaN(v) && v >= 0 && v <= 100 }
