package benchmarks

// ReferenceSource names where the PyTorch figures come from.
const ReferenceSource = "official PyTorch V-JEPA code (facebookresearch/jepa, fp32, CPU) measured on this " +
	"machine, as quoted in the project issues (\"Results tables…\", the backbone and the " +
	"pretraining issues)"

// Reference is a throughput of the official PyTorch implementation.
type Reference struct {
	Kind        string // "encoder" (forward, no grad) or "step" (pretraining forward+backward)
	Name        string // case label, e.g. "ViT-S 16×224"
	Batch       int
	ClipsPerSec float64
	GFLOPs      float64
}

// References returns the PyTorch figures the issues give.
func References() []Reference {
	return []Reference{
		{"encoder", "ViT-T 8×112", 2, 38.4, 98},
		{"encoder", "ViT-S 16×224", 2, 0.92, 104},
		{"encoder", "ViT-B 16×224", 2, 0.31, 113},
		{"step", "ViT-T 8×112", 4, 12.1, 93},
		{"step", "ViT-S 16×224", 4, 0.31, 105},
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
