package officialcfg

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestLoadEvalVideoExact(t *testing.T) {
	c, warnings, err := LoadEval(filepath.Join(officialDir, "evals", "vitl16_k400_16x8x3.yaml"))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, VideoEval, c.EvalName)
	assert.True(t, c.IsVideo())
	assert.Equal(t, "k400-16x8x3", c.Tag)
	assert.False(t, c.ResumeCheckpoint)
	assert.Equal(t, 8, c.Nodes)
	assert.Equal(t, 8, c.TasksPerNode)
	assert.Equal(t, EvalPretrain{
		ModelName: "vit_large", CheckpointKey: "target_encoder", FramesPerClip: 16, TubeletSize: 2,
		UniformPower: true, UseSDPA: true, PatchSize: 16,
		Folder:     "/your_absolute_file_path_to_directory_where_pretrained_models_are_contained/",
		Checkpoint: "jepa-latest.pth.tar", WriteTag: "jepa", FrameStep: 4,
	}, c.Pretrain)
	assert.Equal(t, EvalData{
		DatasetTrain: "/your_path_to_kinetics400_train_csv_file_index.csv",
		DatasetVal:   "/your_path_to_kinetics400_val_csv_file_index.csv",
		DatasetType:  "VideoDataset", NumClasses: 400, FramesPerClip: 16, NumSegments: 8,
		NumViewsPerSegment: 3, FrameStep: 4, Resolution: 224,
	}, c.Data)
	assert.Equal(t, EvalOptimization{
		AttendAcrossSegments: true, NumEpochs: 20, Resolution: 224, BatchSize: 4, WeightDecay: 0.01,
		LR: 1e-3, StartLR: 1e-3, UseBfloat16: true, FinalWeightDecay: 1e-6,
	}, c.Optimization)
	assert.Equal(t, 4, c.FrameStep())
	assert.Nil(t, c.ClipDuration())
	assert.Equal(t, 224, c.Resolution())
	assert.Equal(t, []HeadOptimization{{LR: 1e-3, StartLR: 1e-3, WeightDecay: 0.01, FinalWeightDecay: 1e-6}}, c.Heads())
	assert.Equal(t, "k400-16x8x3", c.Raw["tag"])
}

func TestLoadEvalOfficialFiles(t *testing.T) {
	tests := []struct {
		file                    string
		video                   bool
		classes, segments       int
		batch                   int
		wd                      float64
		resolution              int
		model                   string
		dataset, imageFolderSub string
	}{
		{"vitl16_k400_16x8x3.yaml", true, 400, 8, 4, 0.01, 224, "vit_large", "", ""},
		{"vitl16_ssv2_16x2x3.yaml", true, 174, 2, 4, 0.01, 224, "vit_large", "", ""},
		{"vitl16_in1k.yaml", false, 1000, 1, 16, 0.001, 224, "vit_large", "ImageNet", "imagenet"},
		{"vitl16_places.yaml", false, 205, 1, 16, 0.001, 224, "vit_large", "Places205", "places205"},
		{"vitl16_inat.yaml", false, 10000, 1, 16, 0.001, 224, "vit_large", "iNat21", "iNaturalist"},
		{"vith16_k400_16x8x3.yaml", true, 400, 8, 4, 0.01, 224, "vit_huge", "", ""},
		{"vith16_ssv2_16x2x3.yaml", true, 174, 2, 4, 0.01, 224, "vit_huge", "", ""},
		{"vith16_in1k.yaml", false, 1000, 1, 16, 0.001, 224, "vit_huge", "ImageNet", "imagenet"},
		{"vith16_places.yaml", false, 205, 1, 16, 0.001, 224, "vit_huge", "Places205", "places205"},
		{"vith16_inat.yaml", false, 10000, 1, 16, 0.001, 224, "vit_huge", "iNat21", "iNaturalist"},
		{"vith16_384_k400_16x8x3.yaml", true, 400, 8, 4, 0.01, 384, "vit_huge", "", ""},
		{"vith16_384_ssv2_16x2x3.yaml", true, 174, 2, 4, 0.01, 384, "vit_huge", "", ""},
		{"vith16_384_in1k.yaml", false, 1000, 1, 16, 0.001, 384, "vit_huge", "ImageNet", "imagenet"},
		{"vith16_384_places.yaml", false, 205, 1, 16, 0.001, 384, "vit_huge", "Places205", "places205"},
		{"vith16_384_inat.yaml", false, 10000, 1, 16, 0.001, 384, "vit_huge", "iNat21", "iNaturalist"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, warnings, err := LoadEval(filepath.Join(officialDir, "evals", tt.file))
			require.NoError(t, err)
			assert.Empty(t, warnings)
			assert.Equal(t, tt.video, c.IsVideo())
			assert.Equal(t, tt.classes, c.Data.NumClasses)
			assert.Equal(t, tt.batch, c.Optimization.BatchSize)
			assert.Equal(t, 20, c.Optimization.NumEpochs)
			assert.Equal(t, 1e-3, c.Optimization.LR)
			assert.Equal(t, 1e-3, c.Optimization.StartLR)
			assert.Equal(t, 0.0, c.Optimization.FinalLR)
			assert.Equal(t, 0.0, c.Optimization.Warmup)
			assert.Equal(t, tt.wd, c.Optimization.WeightDecay)
			assert.Equal(t, tt.resolution, c.Resolution())
			assert.Equal(t, 16, c.Pretrain.FramesPerClip)
			if tt.video {
				assert.Equal(t, 16, c.Data.FramesPerClip)
				assert.Equal(t, tt.segments, c.Data.NumSegments)
				assert.Equal(t, 3, c.Data.NumViewsPerSegment)
				assert.Equal(t, 4, c.FrameStep())
				assert.True(t, c.Optimization.AttendAcrossSegments)
			} else {
				assert.Equal(t, ImageEval, c.EvalName)
				assert.Equal(t, tt.dataset, c.Data.DatasetName)
				assert.Contains(t, c.Data.ImageFolder, tt.imageFolderSub)
			}

			assert.Equal(t, tt.model, c.Pretrain.ModelName) // the built encoder: backbone.TestOfficialEvalPresets
		})
	}
}

func TestLoadEvalDefaults(t *testing.T) {
	tests := []struct {
		name, text string
		check      func(t *testing.T, c *EvalConfig)
	}{
		{"video", "eval_name: video_classification_frozen\n", func(t *testing.T, c *EvalConfig) {
			assert.Equal(t, "target_encoder", c.Pretrain.CheckpointKey)
			assert.Equal(t, 1, c.Pretrain.FramesPerClip)
			assert.Equal(t, 2, c.Pretrain.TubeletSize)
			assert.False(t, c.Pretrain.UniformPower, "the evals default uniform_power to false")
			assert.True(t, c.Pretrain.UseSDPA)
			assert.True(t, c.Pretrain.TightSiLU)
			assert.Equal(t, 4, c.FrameStep())
			assert.Equal(t, "VideoDataset", c.Data.DatasetType)
			assert.Equal(t, 16, c.Data.FramesPerClip)
			assert.Equal(t, 1, c.Data.NumSegments)
			assert.Equal(t, 1, c.Data.NumViewsPerSegment)
			assert.Equal(t, 224, c.Resolution())
			assert.False(t, c.Optimization.AttendAcrossSegments)
			assert.Equal(t, 1e-6, c.Optimization.FinalWeightDecay)
		}},
		{"image resolution from data", "eval_name: image_classification_frozen\ndata:\n  resolution: 256\n", func(t *testing.T, c *EvalConfig) {
			assert.Equal(t, 256, c.Resolution())
		}},
		{"video resolution from optimization", "eval_name: video_classification_frozen\noptimization:\n  resolution: 256\n", func(t *testing.T, c *EvalConfig) {
			assert.Equal(t, 256, c.Resolution())
		}},
		{"frame step from pretrain", "eval_name: video_classification_frozen\npretrain:\n  frame_step: 2\n  clip_duration: 2.5\n", func(t *testing.T, c *EvalConfig) {
			assert.Equal(t, 2, c.FrameStep())
			require.NotNil(t, c.ClipDuration())
			assert.Equal(t, 2.5, *c.ClipDuration())
		}},
		{"multihead", `eval_name: video_classification_frozen
optimization:
  multihead_kwargs:
  - {lr: 0.005, start_lr: 0.005, final_lr: 0.0, weight_decay: 0.01, final_weight_decay: 0.01, warmup: 0.0}
  - lr: 0.0003
    start_lr: 0.0001
    final_lr: 0
    weight_decay: 0.4
    final_weight_decay: 0.4
    warmup: 5
`, func(t *testing.T, c *EvalConfig) {
			assert.Equal(t, []HeadOptimization{
				{LR: 0.005, StartLR: 0.005, WeightDecay: 0.01, FinalWeightDecay: 0.01},
				{LR: 0.0003, StartLR: 0.0001, WeightDecay: 0.4, FinalWeightDecay: 0.4, Warmup: 5},
			}, c.Heads())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, warnings, err := LoadEval(testutil.WriteFile(t, "eval.yaml", tt.text))
			require.NoError(t, err)
			assert.Empty(t, warnings)
			tt.check(t, c)
		})
	}
}

func TestLoadEvalWarnings(t *testing.T) {
	k400 := testutil.OfficialPreset(t, "evals/vitl16_k400_16x8x3.yaml")
	in1k := testutil.OfficialPreset(t, "evals/vitl16_in1k.yaml")
	tests := []struct {
		name, text, old, repl string
		key, msg              string
	}{
		{"unknown data key", k400, "  frame_step: 4", "  frame_stride: 4", "data.frame_stride", "unknown key data.frame_stride"},
		{"unknown top key", k400, "tag: k400-16x8x3", "tags: k400-16x8x3", "tags", "unknown key tags"},
		{"ignored data.frame_step", k400, "  frame_step: 4", "  frame_step: 2", "data.frame_step",
			"data.frame_step 2 is ignored by the official video eval; the effective frame step is pretrain.frame_step = 4"},
		{"ignored data.resolution", k400, "  frame_step: 4", "  resolution: 256", "data.resolution",
			"data.resolution 256 is ignored by the official video eval; the effective resolution is optimization.resolution = 224"},
		{"ignored optimization.resolution", in1k, "  num_epochs: 20", "  resolution: 384", "optimization.resolution",
			"optimization.resolution 384 is ignored by the official image eval; the effective resolution is data.resolution = 224"},
		{"unknown head key", k400, "  use_bfloat16: true", "  multihead_kwargs:\n  - lr: 0.1\n    momentum: 0.9", "optimization.multihead_kwargs.0.momentum",
			"unknown key optimization.multihead_kwargs.0.momentum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod, line := testutil.ReplaceLine(t, tt.text, tt.old, tt.repl)
			line += strings.Count(tt.repl, "\n") // multi-line replacements: the key is on the last line
			path := testutil.WriteFile(t, "eval.yaml", mod)
			c, warnings, err := LoadEval(path)
			require.NoError(t, err)
			require.NotNil(t, c)
			require.Len(t, warnings, 1, "%v", warnings)
			assert.Equal(t, Warning{File: path, Line: line, Key: tt.key, Msg: tt.msg}, warnings[0])
		})
	}
}

func TestLoadEvalErrors(t *testing.T) {
	k400 := testutil.OfficialPreset(t, "evals/vitl16_k400_16x8x3.yaml")
	tests := []struct {
		old, repl      string
		key, want, got string
	}{
		{"  batch_size: 4", `  batch_size: "x"`, "optimization.batch_size", "an integer", `string "x"`},
		{"  lr: 0.001", "  lr: [1]", "optimization.lr", "a number", "a list"},
		{"  num_classes: 400", "  num_classes: 400.0", "data.num_classes", "an integer", "number 400.0"},
		{"  use_sdpa: true", "  use_sdpa: 1", "pretrain.use_sdpa", "a boolean", "integer 1"},
		{"  use_bfloat16: true", "  multihead_kwargs: {lr: 1}", "optimization.multihead_kwargs", "a list of per-head settings", "a mapping"},
		{"  use_bfloat16: true", "  multihead_kwargs: [{lr: x}]", "optimization.multihead_kwargs.0.lr", "a number", `string "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			mod, line := testutil.ReplaceLine(t, k400, tt.old, tt.repl)
			path := testutil.WriteFile(t, "k400.yaml", mod)
			_, _, err := LoadEval(path)
			var ke *KeyError
			require.True(t, errors.As(err, &ke), "error %v is not a *KeyError", err)
			assert.Equal(t, KeyError{File: path, Line: line, Key: tt.key, Want: tt.want, Got: tt.got}, *ke)
		})
	}

	t.Run("eval_name", func(t *testing.T) {
		mod, line := testutil.ReplaceLine(t, k400, "eval_name: video_classification_frozen", "eval_name: video_classification")
		path := testutil.WriteFile(t, "k400.yaml", mod)
		_, _, err := LoadEval(path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), fileLine(path, line)+": eval_name \"video_classification\" is not supported")
	})
	t.Run("several errors", func(t *testing.T) {
		mod, _ := testutil.ReplaceLine(t, k400, "  batch_size: 4", `  batch_size: "x"`)
		mod, _ = testutil.ReplaceLine(t, mod, "  num_classes: 400", "  num_classes: []")
		_, _, err := LoadEval(testutil.WriteFile(t, "k400.yaml", mod))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "data.num_classes")
		assert.Contains(t, err.Error(), "optimization.batch_size")
	})
}
