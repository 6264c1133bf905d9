package benchmarks

import "fmt"

// ReferenceSource names where the quoted fallback PyTorch figures come from. They are used
// only when the reference kit did not measure a case in the same run (`vjepa bench
// --reference`), and the report labels them as quoted.
const ReferenceSource = "official PyTorch V-JEPA code (facebookresearch/jepa, fp32, CPU) measured on another " +
	"machine, as quoted in the project issues (\"Results tables…\", the backbone and the " +
	"pretraining issues); the \"step\" figures are encoder forward+backward at batch 2, not a training step"

// Reference is a throughput of the official PyTorch implementation: a quoted fallback
// figure, or (Measured) one the reference kit timed in this run.
type Reference struct {
	Kind        string // "encoder" (forward, no grad) or "step" (pretraining forward+backward)
	Name        string // case label, e.g. "ViT-S 16×224"
	Batch       int
	ClipsPerSec float64
	GFLOPs      float64
	Measured    bool
}

// References returns the quoted PyTorch figures the issues give (the fallback).
func References() []Reference {
	return []Reference{
		{"encoder", "ViT-T 8×112", 2, 38.4, 98, false},
		{"encoder", "ViT-S 16×224", 2, 0.92, 104, false},
		{"encoder", "ViT-B 16×224", 2, 0.31, 113, false},
		{"step", "ViT-T 8×112", 4, 12.1, 93, false},
		{"step", "ViT-S 16×224", 4, 0.31, 105, false},
	}
}

// LookupReference returns the PyTorch figure of a case, if there is one.
func LookupReference(kind, name string, batch int) (Reference, bool) {
	for _, r := range References() {
		if r.Kind == kind && r.Name == name && r.Batch == batch {
			return r, true
		}
	}
	return Reference{}, false
}

// referenceFor is the PyTorch figure of a row: the one measured in this run, else the
// quoted fallback, if there is one.
func referenceFor(kind, name string, batch int, m *MeasuredReference) (Reference, bool) {
	if m != nil {
		return Reference{Kind: kind, Name: name, Batch: m.Batch, ClipsPerSec: m.ClipsPerSec, GFLOPs: m.GFLOPs, Measured: true}, true
	}
	return LookupReference(kind, name, batch)
}

// referenceText says where the report's PyTorch columns come from.
func (r *Report) referenceText() string {
	const quoted = "rows without a measurement show the quoted fallback figures, marked \"PyTorch quoted\" in the note: " + ReferenceSource
	if r.Reference == nil {
		return "PyTorch: not run in this invocation (`--reference` runs the official code beside ours); " + quoted
	}
	if r.Reference.Env == nil { // no case ran on the PyTorch side
		return "PyTorch: " + r.Reference.Note + "; " + quoted
	}
	text := "PyTorch: the official code (facebookresearch/jepa, fp32) timed by the reference kit " + r.Reference.Dir +
		" in this run, alternating with our cases (two rounds, each side's best), on the same batch and mask token counts"
	if e := r.Reference.Env; e != nil {
		text += fmt.Sprintf(" (torch %s, %d threads, BLAS %s)", e.Torch, e.Threads, orUnknown(e.BLASVariant))
	}
	if r.Reference.Note != "" {
		text += ". " + r.Reference.Note
	}
	return text + "; " + quoted
}
