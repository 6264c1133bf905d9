package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

func TestPrintProbeSummary(t *testing.T) {
	rnd := &probe.Record{ID: "rnd", Dataset: "synthetic-motion", Backbone: probe.BackboneInfo{Init: "random"},
		Probe: probe.ProbeInfo{Type: probe.Attentive}, Top1: 55, Top5: 90,
		Seeds: []probe.SeedResult{{Seed: 0, Top1: 54}, {Seed: 1, Top1: 56}, {Seed: 2, Top1: 55}}}
	pre := &probe.Record{ID: "pre", Dataset: "synthetic-motion", Backbone: probe.BackboneInfo{Init: "pretrained"},
		Probe: probe.ProbeInfo{Type: probe.Attentive}, Top1: 58, Top5: 91,
		Seeds: []probe.SeedResult{{Seed: 0, Top1: 57}, {Seed: 1, Top1: 60}, {Seed: 2, Top1: 57}}}
	one := &probe.Record{ID: "one", Dataset: "synthetic-motion", Backbone: probe.BackboneInfo{Init: "pretrained"},
		Probe: probe.ProbeInfo{Type: probe.KNN, LabelsPerClass: 5, Seed: 4}, Top1: 31.5, Top5: 80}
	var err error
	pre.VsRandom, err = probe.PairTop1(pre, rnd)
	require.NoError(t, err)
	var b bytes.Buffer
	printProbeSummary(&b, []*probe.Record{pre, rnd, one})
	out := b.String()
	// pretrained 57, 60, 57: mean 58, std √3 = 1.73; random 54, 56, 55: mean 55, std 1.
	assert.Contains(t, out, "58.00 ± 1.73 (3 seeds)")
	assert.Contains(t, out, "55.00 ± 1.00 (3 seeds)")
	assert.Contains(t, out, "knn-5shot")
	assert.Contains(t, out, "31.50 (single seed)")
	// Differences 3, 4, 2: mean 3, std 1, t(0.975, 2) = 4.303 → ±2.48: [0.52, 5.48].
	assert.Contains(t, out, "pretrained − random top-1 +3.00 ± 1.00, 95% CI [+0.52, +5.48] (paired t-test, 3 seeds)")
}

func TestParseInts(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		err  string
	}{
		{"1,5,10", []int{1, 5, 10}, ""},
		{" 2 , 3", []int{2, 3}, ""},
		{"", nil, ""},
		{"1,x", nil, `"x" is not a positive integer`},
		{"0", nil, `"0" is not a positive integer`},
	}
	for _, tt := range tests {
		got, err := parseInts(tt.in)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}
