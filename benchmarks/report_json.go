package benchmarks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// JSONReport is the machine-readable form of a Report (`vjepa bench --json FILE`): one
// object per encoder or step case.
type JSONReport struct {
	Command string  `json:"command"`
	Started string  `json:"started_utc"`
	Quick   bool    `json:"quick"`
	Exec    string  `json:"execution"` // transformer blocks: precision, checkpointing
	Machine Machine `json:"machine"`
	PeakGF  float64 `json:"matmul_peak_gflop_per_s"`
	// PeakBusy is the cores busy during the best matmul size's timed products.
	PeakBusy float64 `json:"matmul_peak_cores_busy"`
	// RefSGEMM is the reference kit's best torch sgemm GFLOP/s in the same run (0: not run).
	RefSGEMM float64       `json:"reference_sgemm_gflop_per_s,omitempty"`
	RefNote  string        `json:"reference_note,omitempty"`
	RefEnv   *ReferenceEnv `json:"reference_env,omitempty"`
	Cases    []JSONCase    `json:"cases"`
}

// JSONCase is one benchmark case. Case names are the reference kit's config names with the
// kind in front, e.g. "pretrain_step:vit_tiny-8x112" (see CaseIDs).
type JSONCase struct {
	Case  string `json:"case"`
	Label string `json:"label"` // the Markdown report's row label
	// Attention is how the case's largest attention ran, as the execution resolved it on
	// the backend at the measured batch: "full" (materialised scores), "chunked" (then
	// AttentionChunk queries per chunk) or "fused"; Precision the type of the blocks'
	// matrix products ("float32", "bfloat16", …).
	Attention      string  `json:"attention"`
	AttentionChunk int     `json:"attention_chunk,omitempty"`
	Precision      string  `json:"precision"`
	Skipped        string  `json:"skipped,omitempty"`
	Note           string  `json:"note,omitempty"`
	Batch          int     `json:"batch"`
	Tokens         int     `json:"tokens"`
	Kc             []int   `json:"kc,omitempty"`
	Kp             []int   `json:"kp,omitempty"`
	GFLOP          float64 `json:"gflop"` // FLOPs of one timed call ÷ 1e9
	MedianS        float64 `json:"median_s"`
	FirstS         float64 `json:"first_call_s"`
	Iters          int     `json:"timed_calls"`
	ClipsPerSec    float64 `json:"clips_per_s"`
	GFLOPs         float64 `json:"gflop_per_s"`
	// CoresBusy is the process CPU time ÷ wall time over the timed calls.
	CoresBusy float64 `json:"cores_busy"`
	// PeakRSSMiB is the process's ru_maxrss when the case ended: the peak since the
	// process started, so it covers earlier cases too (run one case with --cases for its own).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// PeakDeviceMiB is the largest GPU memory the process held during the case (XLA on a
	// GPU; absent on the CPU).
	PeakDeviceMiB float64 `json:"peak_device_mib,omitempty"`
	HeapInuseMiB  float64 `json:"go_heap_inuse_mib"`
	// Reference is the official PyTorch code measured on the same case in this run, or null.
	Reference *JSONReference `json:"reference"`
}

// JSONReference is the PyTorch side of a case, as the reference kit measured it.
type JSONReference struct {
	Batch       int             `json:"batch"`
	Kc          []int           `json:"kc,omitempty"`
	Kp          []int           `json:"kp,omitempty"`
	GFLOP       float64         `json:"gflop"`
	MedianS     float64         `json:"median_s"`
	ClipsPerSec float64         `json:"clips_per_s"`
	GFLOPs      float64         `json:"gflop_per_s"`
	CoresBusy   float64         `json:"cores_busy"`
	PeakRSSMiB  float64         `json:"peak_rss_mib"`
	Kit         json.RawMessage `json:"kit_result"` // the kit's own result object
}

func jsonReference(m *MeasuredReference) *JSONReference {
	if m == nil {
		return nil
	}
	return &JSONReference{Batch: m.Batch, Kc: m.Kc, Kp: m.Kp, GFLOP: m.GFLOP, MedianS: m.MedianS,
		ClipsPerSec: m.ClipsPerSec, GFLOPs: m.GFLOPs, CoresBusy: m.CoresBusy, PeakRSSMiB: m.PeakRSSMiB, Kit: m.Raw}
}

func toMiB(bytes uint64) float64 { return float64(bytes) / (1 << 20) }

// JSON returns the machine-readable report.
func (r *Report) JSON() JSONReport {
	out := JSONReport{Command: r.Command, Started: r.Started.UTC().Format(time.RFC3339), Quick: r.Quick, Exec: r.Exec,
		Machine: r.Machine, PeakGF: r.Peak, PeakBusy: PeakResult(r.MatMul).CoresBusy, RefSGEMM: PeakGFLOPs(r.RefMatMul),
		Cases: []JSONCase{}}
	if r.Reference != nil {
		out.RefNote, out.RefEnv = r.Reference.Note, r.Reference.Env
	}
	for _, e := range r.Encoder {
		c := e.Case.Config
		jc := JSONCase{Case: e.Case.ID(), Label: e.Case.Name, Skipped: e.Skipped, Note: e.Note, Batch: e.Case.Batch,
			Attention: attentionName(e.Attention), AttentionChunk: e.Attention.Chunk, Precision: casePrecision(c.Exec),
			Tokens: c.NumTokens(), GFLOP: float64(e.Case.Batch) * EncoderForwardFLOPs(c, c.NumTokens()) / 1e9,
			Reference: jsonReference(e.Ref)}
		if e.Skipped == "" {
			jc.setTiming(e.Time, e.ClipsPerSec(), e.GFLOPs(), e.Mem)
		}
		out.Cases = append(out.Cases, jc)
	}
	for _, s := range r.Step {
		c := s.Case.Config
		jc := JSONCase{Case: s.Case.ID(), Label: s.Case.Name, Skipped: s.Skipped, Note: s.Note, Batch: s.Batch,
			Attention: attentionName(s.Attention), AttentionChunk: s.Attention.Chunk, Precision: casePrecision(c.Exec),
			Tokens: c.NumTokens(), Kc: s.Kc, Kp: s.Kp, GFLOP: s.FLOPs / 1e9, Reference: jsonReference(s.Ref)}
		if s.Skipped == "" {
			jc.setTiming(s.Step, s.ClipsPerSec(), s.GFLOPs(), s.Mem)
		} else {
			jc.Batch = s.Case.Batch
		}
		out.Cases = append(out.Cases, jc)
	}
	for _, p := range r.Probes {
		jc := JSONCase{Case: p.Case.ID(), Label: p.Name, Skipped: p.Skipped, Batch: p.Batch, Tokens: p.Case.Tokens,
			Attention: attentionName(p.Attention), AttentionChunk: p.Attention.Chunk, Precision: casePrecision(p.Case.Model.Exec)}
		if p.Skipped == "" {
			jc.setTiming(p.Time, p.ClipsPerSec(), 0, p.Mem)
		}
		out.Cases = append(out.Cases, jc)
	}
	return out
}

// setTiming fills the measured fields of a case.
func (jc *JSONCase) setTiming(t Timing, clipsPerSec, gflops float64, mem MemoryPeak) {
	jc.MedianS, jc.FirstS, jc.Iters, jc.CoresBusy = t.Median, t.First, t.Iters, t.CoresBusy
	jc.ClipsPerSec, jc.GFLOPs = clipsPerSec, gflops
	jc.PeakRSSMiB, jc.PeakDeviceMiB, jc.HeapInuseMiB = toMiB(mem.MaxRSS), toMiB(mem.Device), toMiB(mem.HeapInuse)
}

// WriteJSON writes the machine-readable report to path atomically, creating the folder.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r.JSON(), "", " ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}
