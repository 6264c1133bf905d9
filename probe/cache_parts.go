package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute/dtypes/float16"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/atomicfile"
	"github.com/vjepa-go/vjepa/internal/npy"
)

// Storage types of cached features (--feature-dtype).
const (
	FeatureFloat32 = "float32"
	// FeatureFloat16 halves the disk (and read) bytes of a cache; the probes still train in
	// float32 on the widened values.
	FeatureFloat16 = "float16"
)

// ErrIncompleteCache is returned when a sharded extraction has not finished every part of a
// split; the message names the shards that still have to run.
var ErrIncompleteCache = errors.New("incomplete feature cache")

// partPlan describes how a split's features are laid out in the cache folder DIR/KEY: one
// file per part, part j holding the samples [j·BatchSize, (j+1)·BatchSize). A part is one
// encoder batch, so a sharded and a whole extraction encode exactly the same batches and
// give bit-identical features.
type partPlan struct {
	Key        string   `json:"key"`
	What       string   `json:"what"` // e.g. "synthetic-motion train features (random)", for messages
	Samples    int      `json:"samples"`
	BatchSize  int      `json:"batch_size"`
	Shards     int      `json:"shards"` // how many shards split the extraction (1: a whole one)
	DType      string   `json:"dtype"`
	NumClasses int      `json:"num_classes"`
	ClassNames []string `json:"class_names,omitempty"`
}

// parts is the number of parts of the split.
func (p partPlan) parts() int { return (p.Samples + p.BatchSize - 1) / p.BatchSize }

func (c FeatureCache) planPath(key string) string { return filepath.Join(c.Dir, key, "plan.json") }

func (c FeatureCache) partPath(key string, part int) string {
	return filepath.Join(c.Dir, key, fmt.Sprintf("part-%06d.npz", part))
}

// readPlan returns the plan of key, or nil when no extraction of key has started.
func (c FeatureCache) readPlan(key string) (*partPlan, error) {
	raw, err := os.ReadFile(c.planPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("feature cache: %w", err)
	}
	var p partPlan
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("feature cache %s: %w", c.planPath(key), err)
	}
	if p.Samples < 1 || p.BatchSize < 1 || p.Shards < 1 {
		return nil, fmt.Errorf("feature cache %s: %d samples in batches of %d over %d shards is not a layout", c.planPath(key), p.Samples, p.BatchSize, p.Shards)
	}
	return &p, nil
}

// writePlan stores p (atomically; shards starting together write the same bytes).
func (c FeatureCache) writePlan(p partPlan) error {
	if err := os.MkdirAll(filepath.Join(c.Dir, p.Key), 0o755); err != nil {
		return fmt.Errorf("feature cache: %w", err)
	}
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(c.planPath(p.Key), append(raw, '\n'))
}

// missingParts lists the parts of plan that have no file yet.
func (c FeatureCache) missingParts(p partPlan) []int {
	var out []int
	for j := range p.parts() {
		if _, err := os.Stat(c.partPath(p.Key, j)); err != nil {
			out = append(out, j)
		}
	}
	return out
}

// incomplete is the error of a split whose parts are not all there: it names the shards
// that own the missing parts.
func (c FeatureCache) incomplete(p partPlan, missing []int) error {
	var shards []string
	seen := map[Shard]bool{}
	for _, j := range missing {
		s := owner(j, p.parts(), p.Shards)
		if !seen[s] {
			seen[s] = true
			shards = append(shards, s.String())
		}
	}
	run := "--extract-only --shard " + shards[0]
	if len(shards) > 1 {
		run = fmt.Sprintf("--extract-only --shard I/%d for each of them", p.Shards)
	}
	return fmt.Errorf("%w: %s in %s lacks %d of %d parts, of shard %s: run the same command with %s (a killed shard resumes where it stopped)",
		ErrIncompleteCache, p.What, filepath.Join(c.Dir, p.Key), len(missing), p.parts(), strings.Join(shards, ", "), run)
}

// writePart stores the features of one batch (per view [B, tokens, D]) and its labels as
// DIR/KEY/part-J.npz: features [B, views, tokens, D] in the plan's dtype, labels [B].
func (c FeatureCache) writePart(p partPlan, part int, views []backbone.HostTensor, labels []int32) error {
	b, n, d := views[0].Shape[0], views[0].Shape[1], views[0].Shape[2]
	flat := make([]float32, 0, b*len(views)*n*d)
	per := n * d
	for i := range b {
		for _, v := range views {
			flat = append(flat, v.F32[i*per:(i+1)*per]...)
		}
	}
	shape := []int{b, len(views), n, d}
	feats := npy.NewFloat32(shape, flat)
	if p.DType == FeatureFloat16 {
		bits := make([]uint16, len(flat))
		for i, x := range flat {
			bits[i] = float16.FromFloat32(x).Bits()
		}
		feats = npy.NewFloat16(shape, bits)
	}
	return npy.WriteNPZ(c.partPath(p.Key, part), map[string]*npy.Array{"features": feats, "labels": npy.NewInt32([]int{b}, labels)})
}

// loadParts reads every part of p into one feature set.
func (c FeatureCache) loadParts(p partPlan) (*FeatureSet, error) {
	fs := &FeatureSet{NumClasses: p.NumClasses, ClassNames: p.ClassNames}
	for j := range p.parts() {
		if err := c.readPart(p, j, fs); err != nil {
			return nil, err
		}
	}
	if fs.Len() != p.Samples {
		return nil, fmt.Errorf("feature cache %s: %d samples in the parts, the plan says %d", filepath.Join(c.Dir, p.Key), fs.Len(), p.Samples)
	}
	return fs, nil
}

// readPart appends part j of p to fs.
func (c FeatureCache) readPart(p partPlan, j int, fs *FeatureSet) error {
	path := c.partPath(p.Key, j)
	arrays, err := npy.ReadNPZ(path)
	if err != nil {
		return fmt.Errorf("feature cache: %w", err)
	}
	feats, labels := arrays["features"], arrays["labels"]
	if feats == nil || labels == nil || len(feats.Shape) != 4 || labels.DType != npy.Int32 || len(labels.I32) != feats.Shape[0] {
		return fmt.Errorf("feature cache %s: want features [B, views, tokens, D] and int32 labels [B]", path)
	}
	b, views, n, d := feats.Shape[0], feats.Shape[1], feats.Shape[2], feats.Shape[3]
	if fs.Len() > 0 && (views != fs.Views || n != fs.Tokens || d != fs.Dim) {
		return fmt.Errorf("feature cache %s: features %v, earlier parts have %d views × %d tokens × %d", path, feats.Shape, fs.Views, fs.Tokens, fs.Dim)
	}
	flat := feats.F32
	switch {
	case feats.DType == npy.Float16 && p.DType == FeatureFloat16:
		flat = make([]float32, len(feats.F16))
		for i, bits := range feats.F16 {
			flat[i] = float16.FromBits(bits).Float32()
		}
	case feats.DType != npy.Float32 || p.DType != FeatureFloat32:
		return fmt.Errorf("feature cache %s: features are %s, the plan says %s", path, feats.DType, p.DType)
	}
	fs.Views, fs.Tokens, fs.Dim = views, n, d
	per := views * n * d
	for i := range b {
		fs.Data = append(fs.Data, flat[i*per:(i+1)*per:(i+1)*per])
	}
	fs.Labels = append(fs.Labels, labels.I32...)
	return nil
}
