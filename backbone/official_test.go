package backbone_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestOfficialPretrainPresets builds the model of every embedded official pretraining file.
func TestOfficialPretrainPresets(t *testing.T) {
	tests := []struct {
		name              string
		model             string
		crop              int
		dim, depth, heads int
		gridHW            int
	}{
		{"vitl16", "vit_large", 224, 1024, 24, 16, 14},
		{"vith16", "vit_huge", 224, 1280, 32, 16, 14},
		{"vith16_384", "vit_huge", 384, 1280, 32, 16, 24},
	}
	require.ElementsMatch(t, officialcfg.PretrainPresets(), []string{"vitl16", "vith16", "vith16_384"}, "every preset is in the table")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := officialcfg.LoadPretrainPreset(tt.name)
			require.NoError(t, err)
			m, err := backbone.FromPretrainConfig(c)
			require.NoError(t, err)
			assert.Equal(t, tt.model, m.Name)
			assert.Equal(t, tt.dim, m.EmbedDim)
			assert.Equal(t, tt.depth, m.Depth)
			assert.Equal(t, tt.heads, m.NumHeads)
			assert.Equal(t, 4.0, m.MLPRatio)
			assert.Equal(t, 16, m.PatchSize)
			assert.Equal(t, 2, m.Tubelet)
			assert.Equal(t, 16, m.NumFrames)
			assert.Equal(t, tt.crop, m.CropSize)
			assert.True(t, m.UniformPower)
			assert.Equal(t, 384, m.PredEmbedDim)
			assert.Equal(t, 12, m.PredDepth)
			assert.Equal(t, tt.heads, m.PredHeads())
			assert.Equal(t, 1536, m.PredMLPHidden())
			assert.Equal(t, 2, m.NumMaskTokens)
			assert.True(t, m.UseMaskTokens)
			assert.True(t, m.ZeroInitMaskTkns)
			gt, gh, gw := m.Grid()
			assert.Equal(t, [3]int{8, tt.gridHW, tt.gridHW}, [3]int{gt, gh, gw})
		})
	}
}

// TestOfficialEvalPresets builds the frozen encoder of every embedded official evaluation file.
func TestOfficialEvalPresets(t *testing.T) {
	for _, name := range officialcfg.EvalPresets() {
		if strings.HasPrefix(name, officialcfg.VJEPA2Prefix) {
			continue // V-JEPA 2 encoders: TestOfficialVJEPA2EvalPresets
		}
		t.Run(name, func(t *testing.T) {
			c, _, err := officialcfg.LoadEvalPreset(name)
			require.NoError(t, err)
			m, err := backbone.FromEvalConfig(c)
			require.NoError(t, err)
			model, dim, res := "vit_large", 1024, 224
			if strings.HasPrefix(name, "vith16") {
				model, dim = "vit_huge", 1280
			}
			if strings.HasPrefix(name, "vith16_384") {
				res = 384
			}
			assert.Equal(t, model, m.Name)
			assert.Equal(t, dim, m.EmbedDim)
			assert.Equal(t, 16, m.NumHeads)
			assert.Equal(t, 16, m.NumFrames)
			assert.Equal(t, res, m.CropSize)
			assert.Equal(t, 16, m.PatchSize)
			assert.Equal(t, 2, m.Tubelet)
			assert.True(t, m.UniformPower)
			assert.Zero(t, m.PredDepth)
			assert.Zero(t, m.NumMaskTokens)
			assert.Equal(t, 8*(res/16)*(res/16), m.NumTokens())
		})
	}
}

// tinyPretrain is a small custom-size pretraining config in the official layout.
const tinyPretrain = `app: vjepa
data:
  datasets: [synthetic-motion]
  batch_size: 2
  num_frames: 8
  tubelet_size: 2
  crop_size: 64
  patch_size: 16
mask:
  - {aspect_ratio: [0.75, 1.5], num_blocks: 8, spatial_scale: [0.15, 0.15], temporal_scale: [1.0, 1.0]}
  - {aspect_ratio: [0.75, 1.5], num_blocks: 2, spatial_scale: [0.7, 0.7], temporal_scale: [1.0, 1.0]}
model:
  model_name: custom
  embed_dim: 96
  depth: 3
  num_heads: 4
  pred_depth: 2
  pred_embed_dim: 48
  pred_num_heads: 3
`

func TestPretrainModelCustom(t *testing.T) {
	c, warnings, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "tiny.yaml", tinyPretrain))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	m, err := backbone.FromPretrainConfig(c)
	require.NoError(t, err)
	assert.Equal(t, backbone.Config{
		Name: "custom", EmbedDim: 96, Depth: 3, NumHeads: 4, MLPRatio: 4, PatchSize: 16, Tubelet: 2,
		NumFrames: 8, CropSize: 64, UniformPower: true, PredEmbedDim: 48, PredDepth: 2, PredNumHeads: 3,
		PredMLPRatio: 4, NumMaskTokens: 2, UseMaskTokens: true, ZeroInitMaskTkns: true,
	}, m)
	assert.Equal(t, 4*4*4, m.NumTokens())
}

func TestPretrainModelOverridesPreset(t *testing.T) {
	text, _ := testutil.ReplaceLine(t, tinyPretrain, "  model_name: custom", "  model_name: vit_small")
	text, _ = testutil.ReplaceLine(t, text, "  embed_dim: 96", "  mlp_ratio: 2.0")
	text, _ = testutil.ReplaceLine(t, text, "  depth: 3", "")
	text, _ = testutil.ReplaceLine(t, text, "  num_heads: 4", "")
	c, _, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "tiny.yaml", text))
	require.NoError(t, err)
	m, err := backbone.FromPretrainConfig(c)
	require.NoError(t, err)
	assert.Equal(t, "custom", m.Name)
	assert.Equal(t, [4]float64{384, 12, 6, 2}, [4]float64{float64(m.EmbedDim), float64(m.Depth), float64(m.NumHeads), m.MLPRatio})
}

// TestPretrainModelV2 reads the V-JEPA 2 layout: model.use_rope, data.dataset_fpcs instead of
// num_frames (the model is built for the longest clip, with one mask token per clip length
// and mask configuration), mask.full_complement.
func TestPretrainModelV2(t *testing.T) {
	text, _ := testutil.ReplaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: [16, 8, 16]")
	text, _ = testutil.ReplaceLine(t, text, "  pred_num_heads: 3", "  pred_num_heads: 3\n  use_rope: true")
	text = strings.Replace(text, "num_blocks: 8,", "num_blocks: 8, full_complement: false,", 1)
	c, warnings, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "v2.yaml", text))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	m, err := backbone.FromPretrainConfig(c)
	require.NoError(t, err)
	assert.True(t, m.UseRoPE)
	assert.Equal(t, 16, m.NumFrames)
	assert.Equal(t, 6, m.NumMaskTokens)

	for _, tc := range []struct{ fpcs, want string }{
		{"[16, 0]", "data.dataset_fpcs.1 must be a positive integer"},
		{"[16, 2.5]", "dataset_fpcs"},
	} {
		bad, _ := testutil.ReplaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: "+tc.fpcs)
		c, _, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "bad.yaml", bad))
		if err == nil {
			_, err = backbone.FromPretrainConfig(c)
		}
		require.ErrorContains(t, err, tc.want)
	}
}

func TestPretrainModelErrors(t *testing.T) {
	tests := []struct {
		name, old, repl string
		want            string // substring of the error; "@L" is replaced by "file:line"
	}{
		{"missing heads", "  num_heads: 4", "", `model.model_name "custom" is not a preset, so model.embed_dim, model.depth and model.num_heads are all required`},
		{"heads divide", "  num_heads: 4", "  num_heads: 5", "embed_dim 96 is not divisible by num_heads 5"},
		{"pred heads divide", "  pred_num_heads: 3", "  pred_num_heads: 5", "pred_embed_dim 48 is not divisible by 5 predictor heads"},
		{"negative depth", "  depth: 3", "  depth: -3", "@L: model.depth must be positive, got -3"},
		{"frames vs tubelet", "  num_frames: 8", "  num_frames: 9", "num_frames 9 is not a multiple of tubelet_size 2"},
		{"crop vs patch", "  crop_size: 64", "  crop_size: 70", "crop_size 70 is not a multiple of patch_size 16"},
		{"missing patch", "  patch_size: 16", "", "tiny.yaml: data.patch_size is missing"},
		{"zero patch", "  patch_size: 16", "  patch_size: 0", "@L: data.patch_size must be a positive integer, got 0"},
		{"missing pred depth", "  pred_depth: 2", "", "tiny.yaml: model.pred_depth is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, line := testutil.ReplaceLine(t, tinyPretrain, tt.old, tt.repl)
			path := testutil.WriteFile(t, "tiny.yaml", text)
			c, _, err := officialcfg.LoadPretrain(path)
			require.NoError(t, err)
			_, err = backbone.FromPretrainConfig(c)
			require.Error(t, err)
			want := tt.want
			if len(want) > 2 && want[:2] == "@L" {
				want = path + ":" + strconv.Itoa(line) + want[2:]
			}
			assert.Contains(t, err.Error(), want)
			assert.Contains(t, err.Error(), path)
		})
	}

	t.Run("no masks", func(t *testing.T) {
		text := testutil.RemoveBetween(tinyPretrain, "mask:\n", "model:\n")
		c, _, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "tiny.yaml", text))
		require.NoError(t, err)
		_, err = backbone.FromPretrainConfig(c)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "at least one mask configuration")
	})
	t.Run("unknown preset without custom keys", func(t *testing.T) {
		c, _, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "x.yaml", "model:\n  model_name: vit_enormous\n"))
		require.NoError(t, err)
		_, err = backbone.FromPretrainConfig(c)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `x.yaml:2: model.model_name: unknown model "vit_enormous" (valid: `)
	})
}

// TestEvalModelCustom builds a custom-size frozen encoder from an evaluation config.
func TestEvalModelCustom(t *testing.T) {
	k400 := testutil.OfficialPreset(t, "evals/vitl16_k400_16x8x3.yaml")
	text, _ := testutil.ReplaceLine(t, k400, "  model_name: vit_large", "  model_name: custom\n  embed_dim: 64\n  depth: 2\n  num_heads: 4")
	c, warnings, err := officialcfg.LoadEval(testutil.WriteFile(t, "k400.yaml", text))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	m, err := backbone.FromEvalConfig(c)
	require.NoError(t, err)
	assert.Equal(t, [4]int{64, 2, 4, 16}, [4]int{m.EmbedDim, m.Depth, m.NumHeads, m.NumFrames})
	assert.Equal(t, "custom", m.Name)
}

func TestEvalModelErrors(t *testing.T) {
	k400 := testutil.OfficialPreset(t, "evals/vitl16_k400_16x8x3.yaml")
	tests := []struct {
		name, old, repl, want string
	}{
		{"image encoder", "  frames_per_clip: 16\n  tubelet_size: 2", "  tubelet_size: 2", "pretrain.frames_per_clip is 1 (the official default)"},
		{"missing patch", "  patch_size: 16", "", "pretrain.patch_size is missing"},
		{"resolution", "  resolution: 224", "  resolution: 230", "crop_size 230 is not a multiple of patch_size 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, k400, tt.old)
			text := strings.Replace(k400, tt.old, tt.repl, 1)
			path := testutil.WriteFile(t, "k400.yaml", text)
			c, warnings, err := officialcfg.LoadEval(path)
			require.NoError(t, err)
			assert.Empty(t, warnings)
			_, err = backbone.FromEvalConfig(c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestOfficialVJEPA2EvalPresets builds the frozen RoPE encoder of every embedded V-JEPA 2
// evaluation file.
func TestOfficialVJEPA2EvalPresets(t *testing.T) {
	n := 0
	for _, name := range officialcfg.EvalPresets() {
		if !strings.HasPrefix(name, officialcfg.VJEPA2Prefix) {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			c, _, err := officialcfg.LoadEvalPreset(name)
			require.NoError(t, err)
			m, err := backbone.FromEvalConfig(c)
			require.NoError(t, err)
			assert.True(t, m.UseRoPE, "every V-JEPA 2 config sets use_rope")
			dim, heads, res := 1024, 16, 256
			if strings.Contains(name, "vitg-384") {
				dim, heads, res = 1408, 22, 384
			}
			assert.Equal(t, dim, m.EmbedDim)
			assert.Equal(t, heads, m.NumHeads)
			assert.Equal(t, res, m.CropSize)
			assert.Equal(t, c.Resolution(), m.CropSize)
			require.NoError(t, m.Validate())
			for _, s := range backbone.EncoderSpecs(m) {
				assert.NotEqual(t, "pos_embed", s.Name, "RoPE encoders have no position table")
			}
			// The multilevel presets (Diving-48, Jester) output four blocks through the norm.
			var levels []int
			switch {
			case strings.Contains(name, "vitl_diving48"), strings.Contains(name, "vitl_jester"):
				levels = []int{17, 19, 21, 23}
			case strings.Contains(name, "diving48"), strings.Contains(name, "jester"):
				levels = []int{24, 29, 34, 39}
			}
			assert.Equal(t, levels, m.OutLayers)
			// use_bfloat16: true in every official file, which the evals run as float16 autocast.
			assert.Equal(t, "float16", backbone.EvalDType(c))
		})
	}
	assert.Equal(t, 12, n)
}
