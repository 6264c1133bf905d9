package officialcfg

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

const officialDir = "presets"

func ptr[T any](v T) *T { return &v }

func TestLoadPretrainVitL16Exact(t *testing.T) {
	path := filepath.Join(officialDir, "pretrain", "vitl16.yaml")
	c, warnings, err := LoadPretrain(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, path, c.File)
	assert.Equal(t, "vjepa", c.App)
	assert.Equal(t, 16, c.Nodes)
	assert.Equal(t, 8, c.TasksPerNode)
	assert.Equal(t, PretrainMeta{Seed: 234, EvalFreq: 100, UseSDPA: true, Dtype: "bfloat16", SaveEveryFreq: -1, SkipBatches: -1}, c.Meta)
	mask := func(blocks int, scale float64) MaskConfig {
		return MaskConfig{AspectRatio: [2]float64{0.75, 1.5}, NumBlocks: blocks, SpatialScale: [2]float64{scale, scale},
			TemporalScale: [2]float64{1, 1}, MaxTemporalKeep: 1}
	}
	assert.Equal(t, []MaskConfig{mask(8, 0.15), mask(2, 0.7)}, c.Mask)
	assert.Equal(t, PretrainModel{ModelName: "vit_large", PredDepth: 12, PredEmbedDim: 384,
		UniformPower: true, UseMaskTokens: true, ZeroInitMaskTokens: true}, c.Arch)
	assert.Equal(t, PretrainData{
		DatasetType: "VideoDataset", MaskType: "multiblock3d",
		Datasets: []string{"/your_path_to_kinetics710_csv_file_index.csv", "/your_path_to_ssv2_csv_file_index.csv",
			"/your_path_to_howto100m_csv_file_index.csv"},
		DecodeOneClip: true, BatchSize: 24, NumClips: 1, NumFrames: 16, TubeletSize: 2, SamplingRate: 4,
		CropSize: 224, PatchSize: 16, PinMem: true, NumWorkers: 12,
	}, c.Data)
	assert.Equal(t, PretrainDataAug{RandomResizeAspectRatio: [2]float64{0.75, 1.35}, RandomResizeScale: [2]float64{0.3, 1.0}}, c.DataAug)
	assert.Equal(t, PretrainLoss{LossExp: 1}, c.Loss)
	assert.Equal(t, PretrainOptimization{
		IPE: 300, IPEScale: 1.25, ClipGrad: ptr(10.0), WeightDecay: 0.04, FinalWeightDecay: 0.4, Epochs: 300,
		Warmup: 40, StartLR: 2e-4, LR: 6.25e-4, FinalLR: 1e-6, EMA: [2]float64{0.998, 1.0},
		Betas: [2]float64{0.9, 0.999}, Eps: 1e-8, AccumSteps: 1,
	}, c.Optimization)
	assert.Equal(t, PretrainLogging{Folder: "/your_absolute_file_path_for_saving_logs_and_checkpoints/", WriteTag: "jepa"}, c.Logging)

	// The raw document keeps everything, including keys the typed view does not interpret.
	assert.Equal(t, 234, c.Raw["meta"].(map[string]any)["seed"])
	assert.Len(t, c.Raw["mask"], 2)
}

func TestLoadPretrainOfficialFiles(t *testing.T) {
	tests := []struct {
		file              string
		model             string
		nodes, batch      int
		crop              int
		dim, depth, heads int
		gridHW            int
	}{
		{"vitl16.yaml", "vit_large", 16, 24, 224, 1024, 24, 16, 14},
		{"vith16.yaml", "vit_huge", 16, 24, 224, 1280, 32, 16, 14},
		{"vith16_384.yaml", "vit_huge", 30, 10, 384, 1280, 32, 16, 24},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, warnings, err := LoadPretrain(filepath.Join(officialDir, "pretrain", tt.file))
			require.NoError(t, err)
			assert.Empty(t, warnings)
			assert.Equal(t, tt.model, c.Arch.ModelName)
			assert.Equal(t, tt.nodes, c.Nodes)
			assert.Equal(t, tt.batch, c.Data.BatchSize)
			assert.Equal(t, tt.crop, c.Data.CropSize)
			assert.Equal(t, 6.25e-4, c.Optimization.LR)
			assert.Equal(t, 300, c.Optimization.IPE)
			assert.Equal(t, 300, c.Optimization.Epochs)
			require.Len(t, c.Mask, 2)
			assert.Equal(t, 8, c.Mask[0].NumBlocks)
			assert.Equal(t, [2]float64{0.15, 0.15}, c.Mask[0].SpatialScale)
			assert.Equal(t, 2, c.Mask[1].NumBlocks)
			assert.Equal(t, [2]float64{0.7, 0.7}, c.Mask[1].SpatialScale)

		})
	}
}

func TestLoadPretrainDefaults(t *testing.T) {
	path := testutil.WriteFile(t, "min.yaml", "data:\n  datasets: [synthetic-motion, /data/k400.csv]\nmeta:\n  use_sdpa: yes\n  load_checkpoint: off\n")
	c, warnings, err := LoadPretrain(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, []string{"synthetic-motion", "/data/k400.csv"}, c.Data.Datasets)
	assert.True(t, c.Meta.UseSDPA, "PyYAML reads a plain yes as true")
	assert.False(t, c.Meta.LoadCheckpoint)
	// Defaults of app/vjepa/train.py.
	assert.Equal(t, "videodataset", c.Data.DatasetType)
	assert.Equal(t, "multiblock3d", c.Data.MaskType)
	assert.Equal(t, 224, c.Data.CropSize)
	assert.Equal(t, 1, c.Data.NumWorkers)
	assert.True(t, c.Data.DecodeOneClip)
	assert.True(t, c.Arch.UniformPower)
	assert.True(t, c.Arch.UseMaskTokens)
	assert.True(t, c.Arch.ZeroInitMaskTokens)
	assert.Equal(t, [2]float64{0.75, 4.0 / 3}, c.DataAug.RandomResizeAspectRatio)
	assert.Equal(t, [2]float64{0.3, 1.0}, c.DataAug.RandomResizeScale)
	assert.Equal(t, 1.0, c.Optimization.IPEScale)
	assert.Nil(t, c.Optimization.ClipGrad)
	assert.Equal(t, 1e-8, c.Optimization.Eps)
	assert.Equal(t, 1, c.Optimization.AccumSteps, "no gradient accumulation unless asked")
	assert.Equal(t, -1, c.Meta.SaveEveryFreq)
}

func TestLoadPretrainWarnings(t *testing.T) {
	text := testutil.OfficialPreset(t, "pretrain/vitl16.yaml")
	tests := []struct {
		name, old, repl string
		want            string // warning message
	}{
		{"data", "  pin_mem: true", "  foo: true", "unknown key data.foo"},
		{"top", "app: vjepa", "apps: vjepa", "unknown key apps"},
		{"pyyaml float", "  final_lr: 1.0e-06", "  final_lr: 1e-06", "optimization.final_lr: the official code (PyYAML) reads 1e-06 as a string, not a number; write 1.0e-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod, line := testutil.ReplaceLine(t, text, tt.old, tt.repl)
			path := testutil.WriteFile(t, "vitl16.yaml", mod)
			_, warnings, err := LoadPretrain(path)
			require.NoError(t, err)
			require.Len(t, warnings, 1)
			assert.Equal(t, line, warnings[0].Line)
			assert.Equal(t, path, warnings[0].File)
			assert.Equal(t, tt.want, warnings[0].Msg)
			assert.Equal(t, fileLine(path, line)+": "+tt.want, warnings[0].String())
		})
	}
	t.Run("mask item", func(t *testing.T) {
		mod := strings.Replace(text, "    max_keep: null", "    max_kept: null", -1)
		_, warnings, err := LoadPretrain(testutil.WriteFile(t, "vitl16.yaml", mod))
		require.NoError(t, err)
		require.Len(t, warnings, 2)
		assert.Equal(t, "mask.0.max_kept", warnings[0].Key)
		assert.Equal(t, "mask.1.max_kept", warnings[1].Key)
		assert.Less(t, warnings[0].Line, warnings[1].Line)
	})
}

func TestLoadPretrainTypeErrors(t *testing.T) {
	text := testutil.OfficialPreset(t, "pretrain/vitl16.yaml")
	tests := []struct {
		old, repl      string
		key, want, got string
	}{
		{"  batch_size: 24", `  batch_size: "x"`, "data.batch_size", "an integer", `string "x"`},
		{"  batch_size: 24", `  batch_size: "24"`, "data.batch_size", "an integer", `string "24"`},
		{"  epochs: 300", "  epochs: 300.5", "optimization.epochs", "an integer", "number 300.5"},
		{"  lr: 0.000625", "  lr: [1]", "optimization.lr", "a number", "a list"},
		{"  lr: 0.000625", "  lr: fast", "optimization.lr", "a number", `string "fast"`},
		{"  pin_mem: true", "  pin_mem: maybe", "data.pin_mem", "a boolean", `string "maybe"`},
		{"  model_name: vit_large", "  model_name: 7", "model.model_name", "a string", "integer 7"},
		{"  reprob: 0.0", "  reprob: {a: 1}", "data_aug.reprob", "a number", "a mapping"},
		{"  - 0.998", "  - 0.998\n  - 0.5", "optimization.ema", "a list of 2 numbers", "a list of 3 items"},
		{"  - 0.998", "  - x", "optimization.ema.0", "a number", `string "x"`},
		{"    num_blocks: 8", "    num_blocks: many", "mask.0.num_blocks", "an integer", `string "many"`},
		{"    - /your_path_to_ssv2_csv_file_index.csv", "    - [a]", "data.datasets.1", "a string", "a list"},
		{"logging:", "logging: 3", "logging", "a mapping", "integer 3"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.repl, func(t *testing.T) {
			mod, line := testutil.ReplaceLine(t, text, tt.old, tt.repl)
			if tt.repl == "logging: 3" {
				// Drop the two lines of the section so the document stays valid.
				mod = strings.Replace(mod, "  folder: /your_absolute_file_path_for_saving_logs_and_checkpoints/\n  write_tag: jepa\n", "", 1)
			}
			path := testutil.WriteFile(t, "vitl16.yaml", mod)
			c, _, err := LoadPretrain(path)
			require.Error(t, err)
			assert.Nil(t, c)
			var ke *KeyError
			require.True(t, errors.As(err, &ke), "error %v is not a *KeyError", err)
			assert.Equal(t, path, ke.File)
			assert.Equal(t, tt.key, ke.Key)
			assert.Equal(t, tt.want, ke.Want)
			assert.Equal(t, tt.got, ke.Got)
			assert.Contains(t, err.Error(), path+":")
			assert.Contains(t, err.Error(), tt.key+": expected "+tt.want+", found "+tt.got)
			assert.Equal(t, line, ke.Line)
		})
	}
}

func TestLoadPretrainFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, _, err := LoadPretrain(missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)

	bad := testutil.WriteFile(t, "bad.yaml", "data:\n  batch_size: 24\n crop_size: 224\n")
	_, _, err = LoadPretrain(bad)
	require.Error(t, err)
	assert.Regexp(t, `^`+regexp.QuoteMeta(bad)+`:[23]: invalid YAML: `, err.Error())

	dup := testutil.WriteFile(t, "dup.yaml", "data:\n  batch_size: 24\n  batch_size: 12\n")
	_, _, err = LoadPretrain(dup)
	require.Error(t, err)
	assert.Contains(t, err.Error(), dup)
	assert.Contains(t, err.Error(), "already defined")

	empty := testutil.WriteFile(t, "empty.yaml", "# nothing\n")
	_, _, err = LoadPretrain(empty)
	require.Error(t, err)
	assert.Contains(t, err.Error(), empty+": empty configuration")

	list := testutil.WriteFile(t, "list.yaml", "- a\n- b\n")
	_, _, err = LoadPretrain(list)
	require.Error(t, err)
	assert.Contains(t, err.Error(), list+":1:")
}

func TestLoadPretrainOptionalValues(t *testing.T) {
	text := `data:
  datasets_weights: [0.335, 0.1, 0.565]
  clip_duration: 2.5
mask:
  - num_blocks: 8
    max_keep: 100
    ratio: 0.9
optimization:
  clip_grad: null
  ema: &momentum [0.99925, 0.99925]
  betas: *momentum
  datasets_weights: [1]
`
	path := testutil.WriteFile(t, "opt.yaml", text)
	c, warnings, err := LoadPretrain(path)
	require.NoError(t, err)
	assert.Equal(t, []Warning{{File: path, Line: 12, Key: "optimization.datasets_weights", Msg: "unknown key optimization.datasets_weights"}}, warnings)
	assert.Equal(t, []float64{0.335, 0.1, 0.565}, c.Data.DatasetsWeights)
	assert.Equal(t, ptr(2.5), c.Data.ClipDuration)
	require.Len(t, c.Mask, 1)
	assert.Equal(t, ptr(100), c.Mask[0].MaxKeep)
	assert.Equal(t, 0.9, c.Mask[0].Ratio)
	assert.Equal(t, 1.0, c.Mask[0].MaxTemporalKeep)
	assert.Nil(t, c.Optimization.ClipGrad)
	assert.Equal(t, [2]float64{0.99925, 0.99925}, c.Optimization.EMA)
	assert.Equal(t, [2]float64{0.99925, 0.99925}, c.Optimization.Betas)

	bad := testutil.WriteFile(t, "bad.yaml", "data:\n  datasets_weights: [0.5, x]\nmask:\n  - max_keep: 0.5\n")
	_, _, err = LoadPretrain(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+`:2: data.datasets_weights.1: expected a number, found string "x"`)
	assert.Contains(t, err.Error(), bad+`:4: mask.0.max_keep: expected an integer, found number 0.5`)
}

func TestLoadPretrainSpeedExtensions(t *testing.T) {
	path := testutil.WriteFile(t, "ext.yaml", "optimization:\n  accum_steps: 4\nmodel:\n  use_activation_checkpointing: true\n")
	c, warnings, err := LoadPretrain(path)
	require.NoError(t, err)
	assert.Empty(t, warnings, "accum_steps and use_activation_checkpointing are known keys")
	assert.Equal(t, 4, c.Optimization.AccumSteps)
	assert.True(t, c.Arch.UseActivationCheckpointing)
}
