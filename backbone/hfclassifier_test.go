package backbone_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
)

// TestParseHFClassifierConfig checks the classifier fields of a config.json: the pooler,
// id2label in id order, transformers' defaults, and inconsistent labels.
func TestParseHFClassifierConfig(t *testing.T) {
	tests := []struct {
		name, json string
		want       backbone.HFClassifierInfo
		wantErr    string
	}{
		{"labels", `{"model_type": "vjepa2", "num_pooler_layers": 2, "id2label": {"1": "b", "0": "a"}, "num_labels": 2}`,
			backbone.HFClassifierInfo{PoolerLayers: 2, NumHeads: 16, NormEps: 1e-6, Labels: []string{"a", "b"}}, ""},
		{"defaults", `{"model_type": "vjepa2", "num_labels": 3}`,
			backbone.HFClassifierInfo{PoolerLayers: 3, NumHeads: 16, NormEps: 1e-6, Labels: []string{"LABEL_0", "LABEL_1", "LABEL_2"}}, ""},
		{"count", `{"model_type": "vjepa2", "id2label": {"0": "a", "1": "b"}, "num_labels": 3}`, backbone.HFClassifierInfo{}, "num_labels 3 but id2label has 2"},
		{"gap", `{"model_type": "vjepa2", "id2label": {"0": "a", "5": "b"}}`, backbone.HFClassifierInfo{}, "no id 1"},
		{"pooler", `{"model_type": "vjepa2", "num_pooler_layers": -1}`, backbone.HFClassifierInfo{}, "num_pooler_layers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, info, err := backbone.ParseHFClassifierConfig([]byte(tt.json))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, info)
		})
	}
}

// TestLoadEncoderNeedsItsModel checks that official weights without a YAML are refused.
func TestLoadEncoderNeedsItsModel(t *testing.T) {
	_, _, err := backbone.LoadEncoder("../testdata/fixtures/small_short/checkpoint.pth", "")
	require.ErrorContains(t, err, "checkpoint.pth does not describe its model: give its pretraining YAML")
}
