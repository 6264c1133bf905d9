package results

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

// baseRecord is a small pretrained attentive record on synthetic-motion with seeds 0, 1, 2.
func baseRecord(id string, created int, top1 ...float64) probe.Record {
	r := probe.Record{ID: id, Created: time.Date(2026, 1, 1, 0, created, 0, 0, time.UTC), Dataset: "synthetic-motion",
		NumClasses: 8, NumTrain: 2000, NumVal: 500,
		Backbone: probe.BackboneInfo{Model: "custom", EmbedDim: 192, Depth: 4, PatchSize: 8, Tubelet: 2,
			Init: InitPretrained, Checkpoint: "a.pth.tar", CheckpointSHA256: "aa", EncoderKey: targetEncoderKey},
		Protocol: probe.Protocol{FramesPerClip: 8, FrameStep: 4, NumSegments: 1, NumViews: 1, Resolution: 64},
		Probe:    probe.ProbeInfo{Type: probe.Attentive, Epochs: 20, BatchSize: 64, NumHeads: 3},
		Heads:    []probe.HeadResult{{LR: 0.01, StartLR: 0.01, WeightDecay: 0.01, FinalWD: 1e-6}}}
	for i, v := range top1 {
		r.Seeds = append(r.Seeds, probe.SeedResult{Seed: uint64(i), Top1: v})
	}
	return r
}

func TestComparable(t *testing.T) {
	random := func(r *probe.Record) {
		r.Backbone.Init, r.Backbone.Checkpoint, r.Backbone.CheckpointSHA256, r.Backbone.EncoderKey = InitRandom, "", "", ""
	}
	tests := []struct {
		name   string
		change func(*probe.Record)
		want   string // "" when comparable
	}{
		{"other weights, same everything else", func(r *probe.Record) { r.Backbone.CheckpointSHA256 = "bb" }, ""},
		{"random init matches the target encoder", random, ""},
		{"random init matches the context encoder", func(r *probe.Record) { random(r) }, ""},
		{"context vs target encoder", func(r *probe.Record) { r.Backbone.EncoderKey = contextEncoderKey }, "different encoder"},
		{"another data set version", func(r *probe.Record) { r.NumTrain = 1000 }, "different data set"},
		{"another protocol", func(r *probe.Record) { r.Protocol.NumViews = 3 }, "different protocol"},
		{"another probe", func(r *probe.Record) { r.Probe.Type = probe.AvgPoolLinear }, "different probe"},
		{"a head sweep of two", func(r *probe.Record) { r.Heads = append(r.Heads, probe.HeadResult{LR: 0.003}) }, "different probe"},
		{"few-label k-NN", func(r *probe.Record) { r.Probe.LabelsPerClass = 5 }, "different probe"},
		{"another architecture", func(r *probe.Record) { r.Backbone.Depth = 6 }, "different backbone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := baseRecord("a", 0, 50), baseRecord("b", 1, 50)
			tt.change(&b)
			ok, why := comparable(&a, &b)
			assert.Equal(t, tt.want == "", ok, why)
			assert.Contains(t, why, tt.want)
		})
	}
}

// TestPoolingTakesTheLatestValuePerSeed: reruns of one configuration pool by seed, the latest
// record winning a seed both hold, whatever its value (no best-of).
func TestPoolingTakesTheLatestValuePerSeed(t *testing.T) {
	older := baseRecord("older", 0, 60, 61, 62, 63, 64)
	newer := baseRecord("newer", 1, 50, 51, 52)
	other := baseRecord("other-weights", 2, 70, 71, 72)
	other.Backbone.CheckpointSHA256 = "bb"
	groups := groupRuns([]Run{{Record: newer}, {Record: older}, {Record: other}})
	require.Len(t, groups, 2)
	g := groups[0]
	require.Len(t, g.Records, 2)
	var vals []float64
	for _, s := range g.Seeds {
		vals = append(vals, s.Top1)
	}
	assert.Equal(t, []float64{50, 51, 52, 63, 64}, vals)
	assert.Equal(t, "newer", g.Latest().ID)
	assert.Len(t, g.Sources(), 2)
}

// TestBestCounterpartSharesMostSeeds prefers, among comparable configurations, the one holding
// the most of the seeds, and pairs only the seeds both hold.
func TestBestCounterpartSharesMostSeeds(t *testing.T) {
	official := baseRecord("official", 0, 50, 51, 52, 53, 54)
	official.Backbone.Trainer, official.Backbone.CheckpointSHA256 = TrainerOfficial, "off"
	five := baseRecord("ours-5", 1, 40, 41, 42, 43, 44)
	three := baseRecord("ours-3", 2, 45, 46, 47)
	three.Backbone.CheckpointSHA256 = "newer-weights"
	context := baseRecord("ours-context", 3, 60, 61, 62, 63, 64)
	context.Backbone.CheckpointSHA256, context.Backbone.EncoderKey = "ctx", contextEncoderKey
	for _, r := range []*probe.Record{&five, &three, &context} {
		r.Backbone.Trainer = TrainerOurs
	}
	groups := groupRuns([]Run{{Record: official}, {Record: five}, {Record: three}, {Record: context}})
	var g *Group
	for _, c := range groups {
		if c.Latest().ID == "official" {
			g = c
		}
	}
	require.NotNil(t, g)
	ours := bestCounterpart(g, groups, func(c *Group) bool { return c.Latest().Backbone.Trainer == TrainerOurs })
	require.NotNil(t, ours)
	assert.Equal(t, "ours-5", ours.Latest().ID, "5 shared seeds beat 3; the context encoder never pairs")
	d := pairGroups(ours, g)
	assert.Empty(t, d.Reason)
	assert.Equal(t, 5, d.Diff.N)
	assert.InDelta(t, -10, d.Diff.Mean, 1e-9)
	assert.Equal(t, "— (different encoder (target vs context))", pairGroups(g, groupOf(groups, "ours-context")).Cell())
}

func groupOf(groups []*Group, id string) *Group {
	for _, g := range groups {
		if g.Latest().ID == id {
			return g
		}
	}
	return nil
}
