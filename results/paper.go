package results

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

//go:embed paper.json
var paperJSON []byte

// PaperResult is one published top-1 accuracy with the conditions under which it was measured.
// Zero or empty optional fields (PatchSize, Resolution, Protocol, PretrainData) match any run.
type PaperResult struct {
	Label        string  `json:"label"`
	Model        string  `json:"model"`
	PatchSize    int     `json:"patch_size,omitempty"`
	Resolution   int     `json:"resolution,omitempty"`
	PretrainData string  `json:"pretrain_data,omitempty"`
	Probe        string  `json:"probe"`
	Dataset      string  `json:"dataset"`
	Protocol     string  `json:"protocol,omitempty"` // "16x8x3" (frames x segments x views) or "img"
	Top1         float64 `json:"top1"`
	Source       string  `json:"source"`
	Note         string  `json:"note,omitempty"`
}

// Paper is the table of published numbers, read from the embedded paper.json.
type Paper struct {
	About   string        `json:"about"`
	Results []PaperResult `json:"results"`
}

// LoadPaper parses the embedded paper.json.
func LoadPaper() (Paper, error) {
	p, err := ParsePaper(paperJSON)
	if err != nil {
		return Paper{}, fmt.Errorf("embedded paper.json: %w", err)
	}
	return p, nil
}

// ParsePaper parses and validates a paper-numbers file: every entry needs a model, probe,
// dataset, source and a top-1 in (0, 100], and no two entries may claim the same conditions.
func ParsePaper(data []byte) (Paper, error) {
	var p Paper
	if err := json.Unmarshal(data, &p); err != nil {
		return Paper{}, err
	}
	seen := make(map[string]int, len(p.Results))
	for i, r := range p.Results {
		switch {
		case r.Model == "" || r.Probe == "" || r.Dataset == "" || r.Source == "" || r.Label == "":
			return Paper{}, fmt.Errorf("entry %d (%s): label, model, probe, dataset and source are required", i, r.Label)
		case r.Top1 <= 0 || r.Top1 > 100:
			return Paper{}, fmt.Errorf("entry %d (%s): top1 %v outside (0, 100]", i, r.Label, r.Top1)
		}
		key := strings.ToLower(fmt.Sprintf("%s|%d|%d|%s|%s|%s|%s", r.Model, r.PatchSize, r.Resolution,
			r.PretrainData, r.Probe, r.Dataset, r.Protocol))
		if j, ok := seen[key]; ok {
			return Paper{}, fmt.Errorf("entries %d and %d (%s) have the same conditions", j, i, r.Label)
		}
		seen[key] = i
	}
	return p, nil
}

// Lookup returns the published number for the run's model, probe type, data set and protocol.
// Runs on randomly initialized backbones never match. Among several matching entries the most
// specific one (most optional fields set) wins, then the first in file order.
func (p Paper) Lookup(r *probe.Record) (PaperResult, bool) {
	if r.Backbone.Init != InitPretrained {
		return PaperResult{}, false
	}
	best, bestScore := -1, -1
	for i, e := range p.Results {
		score, ok := e.match(r)
		if ok && score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return PaperResult{}, false
	}
	return p.Results[best], true
}

// match reports whether e applies to r, and how many optional conditions it pinned.
func (e PaperResult) match(r *probe.Record) (int, bool) {
	if !strings.EqualFold(e.Model, r.Backbone.Model) || !strings.EqualFold(e.Probe, r.Probe.Type) ||
		!strings.EqualFold(e.Dataset, r.Dataset) {
		return 0, false
	}
	score := 0
	if e.PatchSize != 0 {
		if r.Backbone.PatchSize != 0 && r.Backbone.PatchSize != e.PatchSize {
			return 0, false
		}
		score++
	}
	if e.Resolution != 0 {
		if r.Protocol.Resolution != e.Resolution {
			return 0, false
		}
		score++
	}
	if e.Protocol != "" {
		if !strings.EqualFold(e.Protocol, protocolKey(r.Protocol)) {
			return 0, false
		}
		score++
	}
	if e.PretrainData != "" {
		// A run that does not say what its checkpoint was pretrained on is assumed to use the
		// official weights of that model.
		if r.Backbone.PretrainData != "" && !strings.EqualFold(e.PretrainData, r.Backbone.PretrainData) {
			return 0, false
		}
		score++
	}
	return score, true
}

// protocolKey is "16x8x3" (frames x segments x views) for video and "img" for images.
func protocolKey(p probe.Protocol) string {
	if p.Image {
		return "img"
	}
	return fmt.Sprintf("%dx%dx%d", p.FramesPerClip, p.NumSegments, p.NumViews)
}

// protocolLabel is protocolKey with a multiplication sign, as printed in the tables.
func protocolLabel(p probe.Protocol) string {
	return strings.ReplaceAll(protocolKey(p), "x", "×")
}
