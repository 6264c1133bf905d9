package results

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vjepa-go/vjepa/probe"
)

// knownDatasets are the benchmarks in table order, with their titles. Other data set names
// follow in alphabetical order.
var knownDatasets = []struct{ name, title string }{
	{"k400", "Kinetics-400"},
	{"ssv2", "Something-Something v2"},
	{"in1k", "ImageNet-1K"},
	{"synthetic-motion", "Synthetic motion (built-in)"},
	{"synthetic-appearance", "Synthetic appearance (built-in)"},
	{"fashion-mnist", "Fashion-MNIST (built-in)"},
}

func datasetRank(name string) int {
	for i, d := range knownDatasets {
		if d.name == name {
			return i
		}
	}
	return len(knownDatasets)
}

func datasetTitle(name string) string {
	for _, d := range knownDatasets {
		if d.name == name {
			return fmt.Sprintf("%s (`%s`)", d.title, name)
		}
	}
	return fmt.Sprintf("`%s`", name)
}

// sortDatasets orders names: known benchmarks first in their fixed order, then the rest by name.
func sortDatasets(names []string) {
	sort.Slice(names, func(i, j int) bool {
		ri, rj := datasetRank(names[i]), datasetRank(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
}

func modelLabel(b probe.BackboneInfo) string {
	if b.PatchSize > 0 {
		return fmt.Sprintf("%s/%d", b.Model, b.PatchSize)
	}
	return b.Model
}

// checkpointLabel is the checkpoint's file name and the first 8 hex digits of its SHA-256.
func checkpointLabel(b probe.BackboneInfo) string {
	if b.Init == InitRandom && b.Checkpoint == "" {
		return "random init"
	}
	name := "—"
	if b.Checkpoint != "" {
		name = filepath.Base(filepath.FromSlash(b.Checkpoint))
	}
	if sha := b.CheckpointSHA256; sha != "" {
		return fmt.Sprintf("%s (%s)", name, sha[:min(8, len(sha))])
	}
	return name
}

func resolutionLabel(p probe.Protocol) string {
	if p.Resolution <= 0 {
		return "—"
	}
	return strconv.Itoa(p.Resolution)
}

// pct formats an accuracy in percent.
func pct(v float64) string { return fmt.Sprintf("%.1f", v) }

// hyper formats a learning rate or weight decay compactly and exactly.
func hyper(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func durationLabel(seconds float64) string {
	if seconds <= 0 {
		return "—"
	}
	return (time.Duration(seconds * float64(time.Second))).Round(time.Second).String()
}

// slug turns a run id or path into a safe file-name fragment.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_'
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-.")
	if out == "" {
		return "run"
	}
	return out
}

// newer reports whether a was created after b (ties broken by id) — "latest" ordering.
func newer(a, b *probe.Record) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.After(b.Created)
	}
	return a.ID > b.ID
}
