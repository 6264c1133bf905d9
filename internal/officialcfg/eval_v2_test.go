package officialcfg

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestEvalPresetsAllParse parses every embedded eval preset of both generations without a
// warning and builds its probe structure.
func TestEvalPresetsAllParse(t *testing.T) {
	names := EvalPresets()
	require.Len(t, names, 15+12)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, warnings, err := LoadEvalPreset(name)
			require.NoError(t, err)
			assert.Empty(t, warnings)
			s, err := c.ProbeStructure(testSizes)
			require.NoError(t, err)
			assert.Equal(t, c.Data.NumClasses, s.NumClasses)
			assert.Equal(t, len(c.Heads()), s.NumProbes)
			src, err := EvalPresetSource(name)
			require.NoError(t, err)
			if strings.HasPrefix(name, VJEPA2Prefix) {
				assert.Equal(t, LayoutVJEPA2, c.Layout)
				assert.Equal(t, ProbeStructure{Layout: LayoutVJEPA2, EmbedDim: s.EmbedDim, NumHeads: 16, Depth: 4,
					NumClasses: s.NumClasses, NumProbes: s.NumProbes}, s)
				assert.True(t, c.Pretrain.UseRoPE)
				assert.True(t, c.Pretrain.UniformPower)
				assert.Equal(t, "target_encoder", c.Pretrain.CheckpointKey)
				assert.Contains(t, src, "facebookresearch/vjepa2 configs/eval/")
			} else {
				assert.Equal(t, LayoutVJEPA, c.Layout)
				assert.Equal(t, ProbeStructure{Layout: LayoutVJEPA, EmbedDim: s.EmbedDim, NumHeads: 16, Depth: 1,
					NumClasses: s.NumClasses, NumProbes: 1}, s)
				assert.Equal(t, "facebookresearch/jepa configs/evals/"+name+".yaml", src)
			}
		})
	}
}

func TestLoadEvalV2Presets(t *testing.T) {
	tests := []struct {
		name                  string
		video                 bool
		classes, frames, step int
		segments, views, res  int
		batch, epochs, probes int
		outLayers             []int
		model                 string
		dim                   int
		source                string
	}{
		{"vjepa2_vitl_ssv2", true, 174, 16, 4, 2, 3, 256, 4, 20, 20, nil, "vit_large", 1024, "vitl/ssv2.yaml"},
		{"vjepa2_vitl_diving48", true, 48, 32, 2, 4, 3, 256, 2, 100, 3, []int{17, 19, 21, 23}, "vit_large", 1024, "vitl/diving48.yaml"},
		{"vjepa2_vitl_k400", true, 400, 16, 4, 8, 3, 256, 4, 20, 20, nil, "vit_large", 1024, "vitl/k400.yaml"},
		{"vjepa2_vitl_in1k", false, 1000, 16, 4, 1, 1, 256, 16, 20, 21, nil, "vit_large", 1024, "vitl/in1k.yaml"},
		{"vjepa2_vitl_coin", true, 180, 16, 4, 8, 3, 256, 2, 20, 20, nil, "vit_large", 1024, "vitl/coin.yaml"},
		{"vjepa2_vitl_jester", true, 27, 32, 2, 4, 3, 256, 2, 100, 3, []int{17, 19, 21, 23}, "vit_large", 1024, "vitl/jester.yaml"},
		{"vjepa2_vitg-384_ssv2", true, 174, 64, 2, 2, 3, 384, 2, 20, 20, nil, "vit_giant_xformers", 1408, "vitg-384/ssv2.yaml"},
		{"vjepa2_vitg-384_diving48", true, 48, 32, 2, 4, 3, 384, 2, 100, 3, []int{24, 29, 34, 39}, "vit_giant_xformers", 1408, "vitg-384/diving48.yaml"},
		{"vjepa2_vitg-384_k400", true, 400, 16, 4, 8, 3, 384, 1, 20, 20, nil, "vit_giant_xformers", 1408, "vitg-384/k400.yaml"},
		{"vjepa2_vitg-384_in1k", false, 1000, 18, 4, 1, 1, 384, 8, 20, 21, nil, "vit_giant_xformers", 1408, "vitg-384/in1k.yaml"},
		{"vjepa2_vitg-384_coin", true, 180, 16, 4, 8, 3, 384, 1, 20, 20, nil, "vit_giant_xformers", 1408, "vitg-384/coin.yaml"},
		{"vjepa2_vitg-384_jester", true, 27, 32, 2, 4, 3, 384, 2, 100, 3, []int{24, 29, 34, 39}, "vit_giant_xformers", 1408, "vitg-384/jester.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, warnings, err := LoadEvalPreset(tt.name)
			require.NoError(t, err)
			assert.Empty(t, warnings)
			assert.Equal(t, tt.video, c.IsVideo())
			assert.Equal(t, tt.classes, c.Data.NumClasses)
			assert.Equal(t, tt.frames, c.Pretrain.FramesPerClip, "encoder frames")
			assert.Equal(t, tt.step, c.FrameStep())
			assert.Equal(t, tt.segments, c.Data.NumSegments)
			assert.Equal(t, tt.views, c.Data.NumViewsPerSegment)
			assert.Equal(t, tt.res, c.Resolution())
			assert.Equal(t, tt.batch, c.Optimization.BatchSize)
			assert.Equal(t, tt.epochs, c.Optimization.NumEpochs)
			assert.Len(t, c.Heads(), tt.probes)
			assert.Equal(t, tt.outLayers, c.Wrapper.OutLayers)
			assert.Equal(t, tt.model, c.Pretrain.ModelName)
			assert.True(t, c.Optimization.AttendAcrossSegments)
			assert.False(t, c.Wrapper.UsePosEmbed)
			assert.True(t, c.ResumeCheckpoint)
			assert.True(t, c.Optimization.UseBfloat16)
			assert.Equal(t, 16, c.Pretrain.PatchSize)
			assert.Equal(t, 2, c.Pretrain.TubeletSize)
			assert.Nil(t, c.Pretrain.ImgTemporalDimSize)
			s, err := c.ProbeStructure(testSizes)
			require.NoError(t, err)
			assert.Equal(t, tt.dim, s.EmbedDim)
			src, err := EvalPresetSource(tt.name)
			require.NoError(t, err)
			assert.Equal(t, "facebookresearch/vjepa2 configs/eval/"+tt.source, src)
		})
	}
	t.Run("heads of vitl/ssv2", func(t *testing.T) {
		c, _, err := LoadEvalPreset("vjepa2_vitl_ssv2")
		require.NoError(t, err)
		h := c.Heads()
		assert.Equal(t, HeadOptimization{LR: 0.005, StartLR: 0.005, WeightDecay: 0.01, FinalWeightDecay: 0.01}, h[0])
		assert.Equal(t, HeadOptimization{LR: 0.0001, StartLR: 0.0001, WeightDecay: 0.8, FinalWeightDecay: 0.8}, h[19])
		assert.Equal(t, "/your_vjepa2_checkpoints/vitl.pt", c.Pretrain.Checkpoint)
		assert.Equal(t, "evals.video_classification_frozen.modelcustom.vit_encoder_multiclip", c.Wrapper.ModuleName)
		assert.Equal(t, 128, c.Wrapper.MaxFrames)
		assert.Equal(t, EvalLaunch{Folder: "/your_folder/evals/vitl/ssv2", CPUsPerTask: 16, MemPerGPU: "220G", NumWorkers: 12, MaxWorkers: 8}, c.Launch)
	})
	t.Run("warmup heads of vitg-384/in1k", func(t *testing.T) {
		c, _, err := LoadEvalPreset("vjepa2_vitg-384_in1k")
		require.NoError(t, err)
		assert.Equal(t, HeadOptimization{LR: 0.0005, StartLR: 0.0002, WeightDecay: 0.008, FinalWeightDecay: 0.008, Warmup: 5}, c.Heads()[1])
		assert.Equal(t, 18, c.Wrapper.ImgAsVideoNFrames)
	})
}

func TestLoadEvalV2WarningsAndErrors(t *testing.T) {
	ssv2, err := presets.ReadFile(vjepa2EvalDir + "/vitl/ssv2.yaml")
	require.NoError(t, err)
	text := string(ssv2)
	t.Run("unknown keys", func(t *testing.T) {
		mod := replaceOnce(text, "    num_probe_blocks: 4", "    num_probe_blocks: 4\n    dropout: 0.1")
		mod = replaceOnce(mod, "      use_rope: true", "      use_rope: true\n      rope_theta: 100")
		_, warnings, err := LoadEval(testutil.WriteFile(t, "ssv2.yaml", mod))
		require.NoError(t, err)
		require.Len(t, warnings, 2)
		assert.Equal(t, "unknown key experiment.classifier.dropout", warnings[0].Msg)
		assert.Equal(t, 14, warnings[0].Line)
		assert.Equal(t, "unknown key model_kwargs.pretrain_kwargs.encoder.rope_theta", warnings[1].Msg)
	})
	t.Run("ignored optimization.use_pos_embed", func(t *testing.T) {
		mod := replaceOnce(text, "    use_pos_embed: false", "    use_pos_embed: true")
		_, warnings, err := LoadEval(testutil.WriteFile(t, "ssv2.yaml", mod))
		require.NoError(t, err)
		require.Len(t, warnings, 1)
		assert.Equal(t, "experiment.optimization.use_pos_embed", warnings[0].Key)
		assert.Contains(t, warnings[0].Msg, "effective value is model_kwargs.wrapper_kwargs.use_pos_embed = false")
	})
	tests := []struct {
		name, old, repl, want string
	}{
		{"zero probe blocks", "    num_probe_blocks: 4", "    num_probe_blocks: 0", "experiment.classifier.num_probe_blocks must be positive, got 0"},
		{"zero heads", "    num_heads: 16", "    num_heads: 0", "experiment.classifier.num_heads must be positive, got 0"},
		{"probe blocks not an integer", "    num_probe_blocks: 4", "    num_probe_blocks: four", "experiment.classifier.num_probe_blocks: expected an integer"},
		{"out_layers not integers", "    max_frames: 128", "    out_layers: [a]", "model_kwargs.wrapper_kwargs.out_layers.0: expected an integer"},
		{"no classifier", "  classifier:\n    num_heads: 16\n    num_probe_blocks: 4\n", "", "experiment.classifier is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := replaceOnce(text, tt.old, tt.repl)
			require.NotEqual(t, text, mod)
			path := testutil.WriteFile(t, "ssv2.yaml", mod)
			_, _, err := LoadEval(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	t.Run("no multihead_kwargs", func(t *testing.T) {
		mod := testutil.RemoveBetween(text, "    multihead_kwargs:\n", "    num_epochs: 20")
		_, _, err := LoadEval(testutil.WriteFile(t, "ssv2.yaml", mod))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "multihead_kwargs must list at least one probe head")
	})
}

func TestProbeStructureErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"V-JEPA unknown size", "eval_name: video_classification_frozen\ndata: {num_classes: 5}\npretrain: {model_name: vit_mega}\n",
			`pretrain.model_name "vit_mega" is not a known model size, so pretrain.embed_dim is required`},
		{"V-JEPA no size", "eval_name: video_classification_frozen\ndata: {num_classes: 5}\n", "pretrain.model_name is missing"},
		{"V-JEPA heads do not divide", "eval_name: video_classification_frozen\ndata: {num_classes: 5}\npretrain: {model_name: custom, embed_dim: 96, num_heads: 5}\n",
			"the probe's 5 heads do not divide the encoder width 96"},
		{"one class", "eval_name: video_classification_frozen\ndata: {num_classes: 1}\npretrain: {model_name: vit_large}\n", "data.num_classes must be at least 2, got 1"},
		{"V-JEPA 2 heads do not divide", `eval_name: video_classification_frozen
experiment:
  classifier: {num_heads: 7}
  data: {num_classes: 5}
  optimization: {multihead_kwargs: [{lr: 0.1}]}
model_kwargs:
  pretrain_kwargs:
    encoder: {model_name: vit_large}
`, "the probe's 7 heads do not divide the encoder width 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := testutil.WriteFile(t, "eval.yaml", tt.text)
			c, _, err := LoadEval(path)
			require.NoError(t, err)
			_, err = c.ProbeStructure(testSizes)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("V-JEPA 2 defaults", func(t *testing.T) {
		c, _, err := LoadEval(testutil.WriteFile(t, "eval.yaml", `eval_name: video_classification_frozen
experiment:
  classifier: {}
  data: {num_classes: 5}
  optimization: {multihead_kwargs: [{lr: 0.1}, {lr: 0.2}]}
model_kwargs:
  pretrain_kwargs:
    encoder: {model_name: vit_huge}
`))
		require.NoError(t, err)
		s, err := c.ProbeStructure(testSizes)
		require.NoError(t, err)
		assert.Equal(t, ProbeStructure{Layout: LayoutVJEPA2, EmbedDim: 1280, NumHeads: 16, Depth: 1, NumClasses: 5, NumProbes: 2}, s)
		assert.Equal(t, 4, c.FrameStep())
		assert.Equal(t, 224, c.Resolution())
		assert.Equal(t, 16, c.Pretrain.FramesPerClip)
	})
}

func TestEvalPresetUnknown(t *testing.T) {
	for _, name := range []string{"vjepa2_vitl_ek100", "vjepa2_vitq_ssv2", "vjepa2_", "vitl16_nope"} {
		_, _, err := LoadEvalPreset(name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "no official evaluation config")
		_, err = EvalPresetSource(name)
		require.Error(t, err)
	}
}

// testSizes stands in for the project's model table (backbone's presets).
func testSizes(name string) (int, int, bool) {
	switch name {
	case "vit_large", "vit_large_rope":
		return 1024, 16, true
	case "vit_huge", "vit_huge_rope":
		return 1280, 16, true
	case "vit_giant", "vit_giant_xformers", "vit_giant_xformers_rope", "vit_giant_rope":
		return 1408, 16, true
	case "vit_gigantic", "vit_gigantic_xformers":
		return 1664, 16, true
	}
	return 0, 0, false
}
