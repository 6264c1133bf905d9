package probe_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// TestModelFromEveryEvalPreset builds the probe of every embedded official eval config.
func TestModelFromEveryEvalPreset(t *testing.T) {
	for _, name := range officialcfg.EvalPresets() {
		t.Run(name, func(t *testing.T) {
			cfg, _, err := officialcfg.LoadEvalPreset(name)
			require.NoError(t, err)
			m, err := probe.ModelFromEvalConfig(cfg)
			require.NoError(t, err)
			assert.Equal(t, cfg.Data.NumClasses, m.NumClasses)
			assert.Equal(t, 16, m.NumHeads)
			blocks := 0
			for _, s := range m.Specs() {
				if strings.HasSuffix(s.Name, ".attn.qkv.weight") {
					blocks++
					assert.Equal(t, []int{3 * m.EmbedDim, m.EmbedDim}, s.Shape)
				}
				if s.Name == "linear.weight" {
					assert.Equal(t, []int{m.NumClasses, m.EmbedDim}, s.Shape)
				}
			}
			if strings.HasPrefix(name, officialcfg.VJEPA2Prefix) {
				assert.Equal(t, probe.Kind(probe.Attentive4), m.Kind)
				assert.Equal(t, 4, m.Depth)
				assert.Equal(t, 3, blocks)
				assert.Contains(t, []int{1024, 1408}, m.EmbedDim)
			} else {
				assert.Equal(t, probe.Kind(probe.Attentive), m.Kind)
				assert.Equal(t, 1, m.Depth)
				assert.Zero(t, blocks)
				assert.Contains(t, []int{1024, 1280}, m.EmbedDim)
			}
		})
	}
}

// TestBlockOrder checks where each generation runs its self-attention blocks: V-JEPA 2
// over the tokens before the cross-attention, V-JEPA on the query after it.
func TestBlockOrder(t *testing.T) {
	backend := testutil.Backend(t)
	x := backbone.HostTensor{Shape: []int{2, 5, 8}, F32: make([]float32, 2*5*8)}
	for i := range x.F32 {
		x.F32[i] = float32(i%7) - 3
	}
	tests := []struct {
		kind       probe.Kind
		depth      int
		blockShape []int
	}{
		{probe.Attentive, 2, []int{2, 1, 8}},
		{probe.Attentive4, 2, []int{2, 5, 8}},
		{probe.Attentive4, 0, []int{2, 5, 8}},
		{probe.Attentive, 0, nil},
		{probe.AvgPoolLinear, 0, nil},
	}
	for _, tt := range tests {
		m := probe.Model{Kind: tt.kind, EmbedDim: 8, NumHeads: 2, NumClasses: 3, Depth: tt.depth}
		a, err := probe.Apply(backend, m, m.Init(rand.New(rand.NewPCG(1, 2))), x)
		require.NoError(t, err, "%s depth %d", tt.kind, tt.depth)
		assert.Equal(t, []int{2, 3}, a.Logits.Shape)
		assert.Equal(t, []int{2, 8}, a.Pooled.Shape)
		wantBlocks := map[probe.Kind]int{probe.Attentive: max(tt.depth-1, 0), probe.Attentive4: 3, probe.AvgPoolLinear: 0}[tt.kind]
		if tt.kind == probe.Attentive4 && tt.depth > 0 {
			wantBlocks = tt.depth - 1
		}
		require.Len(t, a.Blocks, wantBlocks, "%s depth %d", tt.kind, tt.depth)
		for _, b := range a.Blocks {
			assert.Equal(t, tt.blockShape, b.Shape)
		}
	}
}

func TestApplyBadInput(t *testing.T) {
	backend := testutil.Backend(t)
	m := probe.Model{Kind: probe.Attentive4, EmbedDim: 8, NumHeads: 2, NumClasses: 3, Depth: 2}
	params := m.Init(rand.New(rand.NewPCG(1, 2)))
	tests := []struct {
		name   string
		m      probe.Model
		x      backbone.HostTensor
		params backbone.HostParams
		want   string
	}{
		{"wrong width", m, backbone.HostTensor{Shape: []int{1, 2, 4}, F32: make([]float32, 8)}, params, "width D=4, the probe expects 8"},
		{"rank 2", m, backbone.HostTensor{Shape: []int{2, 8}, F32: make([]float32, 16)}, params, "[B,N,D]"},
		{"short data", m, backbone.HostTensor{Shape: []int{1, 2, 8}, F32: make([]float32, 8)}, params, "holds 8 float32 values"},
		{"missing parameter", m, backbone.HostTensor{Shape: []int{1, 2, 8}, F32: make([]float32, 16)}, without(params, "pooler.blocks.0.attn.qkv.bias"), "pooler.blocks.0.attn.qkv.bias"},
		{"negative depth", probe.Model{Kind: probe.Attentive4, EmbedDim: 8, NumHeads: 2, NumClasses: 3, Depth: -1}, backbone.HostTensor{Shape: []int{1, 2, 8}, F32: make([]float32, 16)}, params, "depth must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := probe.Apply(backend, tt.m, tt.params, tt.x)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func without(p backbone.HostParams, name string) backbone.HostParams {
	out := backbone.HostParams{}
	for k, v := range p {
		if k != name {
			out[k] = v
		}
	}
	return out
}

func TestExperimentFromConfigProbe(t *testing.T) {
	cfg, _, err := officialcfg.LoadEvalPreset("vitl16_ssv2_16x2x3")
	require.NoError(t, err)
	e, err := probe.ExperimentFromConfig("ssv2", cfg, "")
	require.NoError(t, err)
	assert.Equal(t, []probe.Kind{probe.Attentive}, e.Probes)
	assert.Equal(t, probe.Model{Kind: probe.Attentive, EmbedDim: 1024, NumHeads: 16, NumClasses: 174, Depth: 1}, e.ConfigProbe)

	cfg, _, err = officialcfg.LoadEvalPreset("vjepa2_vitl_ssv2")
	require.NoError(t, err)
	e, err = probe.ExperimentFromConfig("ssv2", cfg, "")
	require.NoError(t, err, "a V-JEPA 2 config builds a RoPE encoder and its 4-block probe")
	assert.True(t, e.Model.UseRoPE)
	assert.Equal(t, "vit_large", e.Model.Name)
	assert.Equal(t, probe.Kind(probe.Attentive4), e.ConfigProbe.Kind)
	assert.Equal(t, 4, e.ConfigProbe.Depth)
	assert.Equal(t, 174, e.ConfigProbe.NumClasses)
}

// TestInitRescale checks the official depth rescaling of the output projections: fc2 (and
// attn.proj) of layer L are divided by √(2L), with V-JEPA 2 numbering its blocks from 1 and
// giving the cross-attention the last block's number, V-JEPA counting the cross-attention as
// layer 1 and its blocks from 2.
func TestInitRescale(t *testing.T) {
	std := func(v []float32) float64 {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		return math.Sqrt(s / float64(len(v)))
	}
	tests := []struct {
		kind   probe.Kind
		depth  int
		layers map[string]int // tensor prefix -> layer
	}{
		{probe.Attentive4, 4, map[string]int{"pooler.blocks.0.": 1, "pooler.blocks.1.": 2, "pooler.blocks.2.": 3, "pooler.cross_attention_block.": 3}},
		{probe.Attentive4, 1, map[string]int{"pooler.cross_attention_block.": 1}},
		{probe.Attentive, 1, map[string]int{"pooler.cross_attention_block.": 1}},
		{probe.Attentive, 3, map[string]int{"pooler.blocks.0.": 2, "pooler.blocks.1.": 3, "pooler.cross_attention_block.": 1}},
	}
	for _, tt := range tests {
		m := probe.Model{Kind: tt.kind, EmbedDim: 64, NumHeads: 4, NumClasses: 3, Depth: tt.depth}
		p := m.Init(rand.New(rand.NewPCG(3, 4)))
		for prefix, layer := range tt.layers {
			ratio := std(p[prefix+"mlp.fc2.weight"]) / std(p[prefix+"mlp.fc1.weight"])
			assert.InDelta(t, 1/math.Sqrt(2*float64(layer)), ratio, 0.03, "%s depth %d %s", tt.kind, tt.depth, prefix)
		}
	}
}

// TestProbeModelTakesTheRunsExecution: the probe's blocks run with the encoder's execution
// settings, so a per-run precision or attention choice reaches them.
func TestProbeModelTakesTheRunsExecution(t *testing.T) {
	c, err := backbone.Preset("vit_tiny")
	require.NoError(t, err)
	c.Exec = backbone.Execution{GradCheckpointing: true, ComputeDType: dtypes.BFloat16}
	e := &probe.Experiment{Model: c}
	for _, kind := range []probe.Kind{probe.Attentive, probe.Attentive4} {
		assert.Equal(t, c.Exec, e.ProbeModel(kind, 3).Exec, kind)
	}
}
