package probe_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

func TestParseKinds(t *testing.T) {
	tests := []struct {
		list    string
		want    []probe.Kind
		wantErr string
	}{
		{"attentive", []probe.Kind{probe.Attentive}, ""},
		{"attentive4, knn", []probe.Kind{probe.Attentive4, probe.KNN}, ""},
		{"attentiv", nil, `unknown probe type "attentiv" (valid: attentive, attentive4, avgpool-linear, knn)`},
		{"", nil, `unknown probe type ""`},
	}
	for _, tt := range tests {
		got, err := probe.ParseKinds(tt.list)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.list)
			continue
		}
		require.NoError(t, err, tt.list)
		assert.Equal(t, tt.want, got)
	}
}

func TestKindTrained(t *testing.T) {
	for _, k := range probe.Kinds() {
		assert.Equal(t, k != probe.KNN, k.Trained(), k)
	}
}

func TestExperimentRefusesUnknownKind(t *testing.T) {
	_, _, err := probe.NewExperiment(probe.Request{Dataset: "synthetic-motion", RandomOnly: true, Probes: []probe.Kind{"linear"}})
	require.ErrorContains(t, err, `unknown probe type "linear"`)
}

func ExampleParseKinds() {
	kinds, err := probe.ParseKinds("attentive,knn")
	fmt.Println(kinds, err)
	_, err = probe.ParseKinds("attentiv")
	fmt.Println(err)
	// Output:
	// [attentive knn] <nil>
	// unknown probe type "attentiv" (valid: attentive, attentive4, avgpool-linear, knn)
}
