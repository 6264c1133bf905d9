package benchmarks

import (
	"encoding/json"
	"fmt"
)

// Modes of the reference kit (refbench bench_reference.py) that stand beside our cases.
const (
	refModeForward = "fwd"
	refModeStep    = "step"
)

// MeasuredReference is one case of the official PyTorch code timed by the reference kit on
// this machine, in this run.
type MeasuredReference struct {
	Config      string  // the kit's config name, e.g. "vit_tiny-8x112"
	Mode        string  // "fwd" or "step"
	Batch       int     // clips per timed call
	Kc, Kp      []int   // step: context and target tokens per mask configuration
	GFLOP       float64 // FLOPs of one timed call ÷ 1e9 (our formulas)
	MedianS     float64 // median seconds of the timed calls
	ClipsPerSec float64
	GFLOPs      float64 // achieved GFLOP/s
	PeakRSSMiB  float64 // ru_maxrss of the kit's child process for this case
	// Error is why the kit could not run the case (the other fields are then zero).
	Error string
	// Raw is the kit's result object as it wrote it.
	Raw json.RawMessage
}

// ReferenceEnv is what the kit records about the PyTorch side.
type ReferenceEnv struct {
	Torch       string   `json:"torch"`
	Threads     int      `json:"threads"`
	BLASVariant string   `json:"blas_variant"`
	JEPACommit  *string  `json:"jepa_commit"`
	Python      string   `json:"python"`
	BLAS        []string `json:"blas"`
}

// refKitFile is the subset of the kit's --json output (schema_version 1) we read.
type refKitFile struct {
	Kit           string            `json:"kit"`
	SchemaVersion int               `json:"schema_version"`
	Env           ReferenceEnv      `json:"env"`
	Results       []json.RawMessage `json:"results"`
}

type refKitResult struct {
	Config      string  `json:"config"`
	Mode        string  `json:"mode"`
	Error       string  `json:"error"`
	Batch       int     `json:"batch"`
	Kc          []int   `json:"Kc"`
	Kp          []int   `json:"Kp"`
	GFLOP       float64 `json:"gflop"`
	MedianS     float64 `json:"median_s"`
	ClipsPerSec float64 `json:"clips_per_s"`
	GFLOPsPerS  float64 `json:"gflops_per_s"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
}

// ParseReferenceJSON reads the JSON file the reference kit writes with --json.
func ParseReferenceJSON(data []byte) ([]MeasuredReference, ReferenceEnv, error) {
	var f refKitFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: %w", err)
	}
	if f.Kit != "refbench" || f.SchemaVersion != 1 {
		return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: kit %q schema %d, want refbench schema 1", f.Kit, f.SchemaVersion)
	}
	out := make([]MeasuredReference, 0, len(f.Results))
	for i, raw := range f.Results {
		var r refKitResult
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: result %d: %w", i, err)
		}
		if r.Config == "" || r.Mode == "" {
			return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: result %d has no config or mode", i)
		}
		m := MeasuredReference{Config: r.Config, Mode: r.Mode, Error: r.Error, Raw: raw}
		if r.Error == "" {
			if r.Batch < 1 || r.MedianS <= 0 {
				return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: %s %s: batch %d, median %gs", r.Config, r.Mode, r.Batch, r.MedianS)
			}
			m.Batch, m.Kc, m.Kp, m.GFLOP, m.MedianS = r.Batch, r.Kc, r.Kp, r.GFLOP, r.MedianS
			m.ClipsPerSec, m.GFLOPs, m.PeakRSSMiB = r.ClipsPerSec, r.GFLOPsPerS, r.PeakRSSMiB
		}
		out = append(out, m)
	}
	return out, f.Env, nil
}

// refMode is the kit's mode that measures what a case kind measures.
func refMode(kind string) string {
	if kind == KindPretrainStep {
		return refModeStep
	}
	return refModeForward
}
