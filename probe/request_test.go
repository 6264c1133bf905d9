package probe_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

// TestNewExperimentDefaults pins the protocol rules that NewExperiment owns.
func TestNewExperimentDefaults(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name        string
		req         probe.Request
		wantErr     string
		wantProbes  []probe.Kind
		wantCompare bool
		wantTrainer string
	}{
		{"built-in set: random-init comparison and the average-pooling baseline",
			probe.Request{Dataset: "synthetic-motion", Checkpoint: "ckpt.pth.tar"}, "",
			[]probe.Kind{probe.Attentive, probe.AvgPoolLinear}, true, "vjepa-go"},
		{"comparison turned off",
			probe.Request{Dataset: "synthetic-motion", Checkpoint: "ckpt.pth.tar", Compare: &no}, "",
			[]probe.Kind{probe.Attentive}, false, "vjepa-go"},
		{"random init only",
			probe.Request{Dataset: "synthetic-motion", RandomOnly: true}, "",
			[]probe.Kind{probe.Attentive}, false, ""},
		{"saved probe: no comparison",
			probe.Request{Dataset: "synthetic-motion", Checkpoint: "ckpt.pth.tar", EvalOnly: "probe.pth.tar"}, "",
			[]probe.Kind{probe.Attentive}, false, "vjepa-go"},
		{"official trainer named",
			probe.Request{Dataset: "synthetic-motion", Checkpoint: "ckpt.pth.tar", Trainer: "official", Probes: []probe.Kind{probe.KNN}}, "",
			[]probe.Kind{probe.KNN, probe.AvgPoolLinear}, true, "official"},
		{"rendered clips have no training augmentation",
			probe.Request{Dataset: "synthetic-motion", RandomOnly: true, Augment: &yes}, "augment: the built-in data set", nil, false, ""},
		{"unknown trainer",
			probe.Request{Dataset: "synthetic-motion", RandomOnly: true, Trainer: "pytorch"}, `trainer "pytorch": want vjepa-go or official`, nil, false, ""},
		{"no data set", probe.Request{}, "a data set or an eval config is required", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, err := probe.NewExperiment(tt.req)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantProbes, e.Probes)
			assert.Equal(t, tt.wantCompare, e.CompareRandom)
			assert.Equal(t, tt.wantTrainer, e.Trainer)
			assert.False(t, e.Data.Augment, "built-in sets train on cached features")
			assert.Equal(t, filepath.Join("runs", "probe", "synthetic-motion"), e.OutDir)
			wantSeeds := probe.BuiltinSeeds // an interval by default on the built-in sets
			if tt.req.EvalOnly != "" {
				wantSeeds = 1 // a saved probe is one seed
			}
			assert.Equal(t, wantSeeds, e.Seeds)
		})
	}
}
