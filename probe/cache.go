package probe

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/npy"
)

// FeatureCache keeps frozen features on disk, so that a sweep or a rerun of the probes does
// not run the backbone again. Features are a pure function of the backbone, the data, the
// protocol and, for the augmented passes of a [FeatureBank], the pass. A split is stored as
// per-batch parts (see cache_parts.go); Load and Save read and write the older one-file form.
type FeatureCache struct{ Dir string }

// cacheMeta is stored next to the arrays.
type cacheMeta struct {
	Key        string   `json:"key"`
	Tokens     int      `json:"tokens"`
	Dim        int      `json:"dim"`
	Views      int      `json:"views"`
	NumClasses int      `json:"num_classes"`
	ClassNames []string `json:"class_names,omitempty"`
}

// Key derives the cache key of a split's features from everything they depend on.
func (c FeatureCache) Key(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%#v\n", p)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

func (c FeatureCache) paths(key string) (data, labels, meta string) {
	base := filepath.Join(c.Dir, key)
	return base + ".features.npy", base + ".labels.npy", base + ".json"
}

// Load returns the cached features of key, or nil when there are none.
func (c FeatureCache) Load(key string) (*FeatureSet, error) {
	if c.Dir == "" {
		return nil, nil
	}
	dataPath, labelsPath, metaPath := c.paths(key)
	raw, err := os.ReadFile(metaPath)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var m cacheMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("feature cache %s: %w", metaPath, err)
	}
	data, err := npy.ReadFile(dataPath)
	if err != nil {
		return nil, err
	}
	labels, err := npy.ReadFile(labelsPath)
	if err != nil {
		return nil, err
	}
	per := m.Views * m.Tokens * m.Dim
	if len(data.Shape) != 2 || data.Shape[1] != per || len(labels.I32) != data.Shape[0] {
		return nil, fmt.Errorf("feature cache %s: arrays %v / %v do not match %d views × %d tokens × %d", dataPath, data.Shape, labels.Shape, m.Views, m.Tokens, m.Dim)
	}
	fs := &FeatureSet{Tokens: m.Tokens, Dim: m.Dim, Views: m.Views, Labels: labels.I32, NumClasses: m.NumClasses, ClassNames: m.ClassNames}
	for i := 0; i < data.Shape[0]; i++ {
		fs.Data = append(fs.Data, data.F32[i*per:(i+1)*per])
	}
	return fs, nil
}

// Save stores fs under key (arrays first, the metadata last, so a partial write is never
// taken for a cache hit).
func (c FeatureCache) Save(key string, fs *FeatureSet) error {
	if c.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	dataPath, labelsPath, metaPath := c.paths(key)
	per := fs.Views * fs.Tokens * fs.Dim
	flat := make([]float32, 0, len(fs.Data)*per)
	for _, row := range fs.Data {
		flat = append(flat, row...)
	}
	if err := npy.WriteFile(dataPath, npy.NewFloat32([]int{len(fs.Data), per}, flat)); err != nil {
		return err
	}
	if err := npy.WriteFile(labelsPath, npy.NewInt32([]int{len(fs.Labels)}, fs.Labels)); err != nil {
		return err
	}
	meta, err := json.Marshal(cacheMeta{Key: key, Tokens: fs.Tokens, Dim: fs.Dim, Views: fs.Views, NumClasses: fs.NumClasses, ClassNames: fs.ClassNames})
	if err != nil {
		return err
	}
	tmp := metaPath + ".tmp"
	if err := os.WriteFile(tmp, meta, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, metaPath)
}
