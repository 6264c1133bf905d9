package benchmarks

import (
	"encoding/json"
	"fmt"
)

// Modes of the reference kit (benchmarks/reference/bench_official.py) that stand beside our
// cases.
const (
	refModeForward = "fwd"
	refModeStep    = "step"
	refModeSGEMM   = "sgemm"
)

// KindSGEMM is the reference kit's float32 matrix product, the PyTorch side of the matmul
// peak (config "sgemm-N").
const KindSGEMM = "sgemm"

// The reference kit's JSON: its name and the schema this package reads.
const (
	referenceKitName   = "vjepa-go-reference"
	referenceKitSchema = 2
)

// MeasuredReference is one case of the official PyTorch code timed by the reference kit on
// this machine, in this run. The field tags are the keys of the kit's result objects.
type MeasuredReference struct {
	Config      string  `json:"config"`       // the kit's config name, e.g. "vit_tiny-8x112"
	Mode        string  `json:"mode"`         // "fwd" or "step"
	Batch       int     `json:"batch"`        // clips per timed call
	Kc          []int   `json:"Kc"`           // step: context tokens per mask configuration
	Kp          []int   `json:"Kp"`           // step: target tokens per mask configuration
	GFLOP       float64 `json:"gflop"`        // FLOPs of one timed call ÷ 1e9 (our formulas)
	MedianS     float64 `json:"median_s"`     // median seconds of the timed calls
	MinS        float64 `json:"min_s"`        // fastest timed call
	CoresBusy   float64 `json:"cores_busy"`   // process CPU time ÷ wall time over the timed calls
	ClipsPerSec float64 `json:"clips_per_s"`  // clips per second of the timed calls
	GFLOPs      float64 `json:"gflops_per_s"` // achieved GFLOP/s
	PeakRSSMiB  float64 `json:"peak_rss_mib"` // ru_maxrss of the kit's child process for this case
	// Error is why the kit could not run the case (the other fields are then zero).
	Error string `json:"error"`
	// Raw is the kit's result object as it wrote it.
	Raw json.RawMessage `json:"-"`
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

// ParseReferenceJSON reads the JSON file the reference kit writes with --json.
func ParseReferenceJSON(data []byte) ([]MeasuredReference, ReferenceEnv, error) {
	var f refKitFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: %w", err)
	}
	if f.Kit != referenceKitName || f.SchemaVersion != referenceKitSchema {
		return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: kit %q schema %d, want %s schema %d", f.Kit, f.SchemaVersion,
			referenceKitName, referenceKitSchema)
	}
	out := make([]MeasuredReference, 0, len(f.Results))
	for i, raw := range f.Results {
		var m MeasuredReference
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: result %d: %w", i, err)
		}
		if m.Config == "" || m.Mode == "" {
			return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: result %d has no config or mode", i)
		}
		if m.Error != "" {
			m = MeasuredReference{Config: m.Config, Mode: m.Mode, Error: m.Error}
		} else if m.Batch < 1 || m.MedianS <= 0 {
			return nil, ReferenceEnv{}, fmt.Errorf("reference kit output: %s %s: batch %d, median %gs", m.Config, m.Mode, m.Batch, m.MedianS)
		}
		m.Raw = raw
		out = append(out, m)
	}
	return out, f.Env, nil
}

// refMode is the kit's mode that measures what a case kind measures.
func refMode(kind string) string {
	switch kind {
	case KindPretrainStep:
		return refModeStep
	case KindSGEMM:
		return refModeSGEMM
	}
	return refModeForward
}
