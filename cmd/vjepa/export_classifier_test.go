package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/internal/torchckpt"
	"github.com/vjepa-go/vjepa/probe"
)

// hfclsEvalYAML is an official V-JEPA 2 eval config with the probe of the hfcls_small fixture.
const hfclsEvalYAML = `eval_name: video_classification_frozen
experiment:
  classifier: {num_heads: 4, num_probe_blocks: 4}
  data: {num_classes: 5}
  optimization:
    multihead_kwargs:
    - {lr: 0.005}
model_kwargs:
  pretrain_kwargs:
    encoder: {model_name: custom, embed_dim: 64}
`

// hfclsPairYAML is a full official V-JEPA 2 eval config for the encoder and probe of the
// hfcls_small fixture (a 4-frame 48 px custom model), evaluated 4×2×3 as the official SSv2 eval.
const hfclsPairYAML = `eval_name: video_classification_frozen
experiment:
  classifier: {num_heads: 4, num_probe_blocks: 4}
  data: {dataset_type: VideoDataset, dataset_train: train.csv, dataset_val: val.csv, frame_step: 4,
    frames_per_clip: 4, num_classes: 5, num_segments: 2, num_views_per_segment: 3, resolution: 48}
  optimization:
    multihead_kwargs:
    - {lr: 0.005}
    use_pos_embed: false
model_kwargs:
  pretrain_kwargs:
    encoder: {checkpoint_key: target_encoder, model_name: custom, embed_dim: 64, depth: 2, num_heads: 4,
      patch_size: 16, tubelet_size: 2, uniform_power: true, use_rope: true}
`

// TestClassifyEncoderProbePair runs `vjepa classify` with an encoder checkpoint (the HF
// folder, and the same encoder as an official torch.save checkpoint), an official probe
// checkpoint and the eval YAML: the official probe's eps gives logits.npy, and videos are
// classified with the config's protocol.
func TestClassifyEncoderProbePair(t *testing.T) {
	dir := hfClassifierFixture(t)
	c, err := probe.LoadHFClassifier(dir)
	require.NoError(t, err)
	probeCkpt, evalYAML := writeFixtureProbe(t, c), testutil.WriteFile(t, "eval.yaml", hfclsPairYAML)
	for name, encoder := range map[string]string{"hf folder": dir, "official checkpoint": writeFixtureEncoder(t, c)} {
		t.Run(name, func(t *testing.T) {
			pair := []string{"classify", "--checkpoint", encoder, "--probe-checkpoint", probeCkpt, "--config", evalYAML}
			logits := filepath.Join(t.TempDir(), "logits.npy")
			code, stderr := runCLI(t, append(pair, "--input", filepath.Join(dir, "input.npy"), "--out", logits)...)
			require.Equal(t, 0, code, stderr)
			requireClose(t, filepath.Join(dir, "logits.npy"), logits, 1e-5)

			code, stdout, stderr := runCLIStdout(t, append(pair, "--video", sampleVideo(t, "tree.avi"), "--top-k", "2")...)
			require.Equal(t, 0, code, stderr)
			require.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), 2, stdout)
		})
	}
}

// TestClassifyHFWithEvalConfig classifies a video with a HF folder and the eval config of its
// task for the protocol; a config of another task is refused.
func TestClassifyHFWithEvalConfig(t *testing.T) {
	dir := hfClassifierFixture(t)
	args := []string{"classify", "--checkpoint", dir, "--video", sampleVideo(t, "tree.avi"), "--top-k", "1", "--config"}
	code, stdout, stderr := runCLIStdout(t, append(args, testutil.WriteFile(t, "eval.yaml", hfclsPairYAML))...)
	require.Equal(t, 0, code, stderr)
	require.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), 1, stdout)

	other := strings.Replace(hfclsPairYAML, "num_classes: 5", "num_classes: 7", 1)
	code, stderr = runCLI(t, append(args, testutil.WriteFile(t, "other.yaml", other))...)
	requireCLIError(t, code, stderr, "other.yaml: the config evaluates 7 classes", "classifies 5")
}

// writeFixtureEncoder writes the encoder of the hfcls_small folder as an official V-JEPA 2
// training checkpoint holds it ("target_encoder", keys prefixed module.backbone.).
func writeFixtureEncoder(t *testing.T, c *probe.Classifier) string {
	t.Helper()
	sd := torchckpt.NewOrderedDict()
	for _, s := range backbone.EncoderSpecs(c.Backbone) {
		sd.Set("module.backbone."+s.Name, npy.NewFloat32(s.Shape, c.Encoder[s.Name]))
	}
	top := torchckpt.NewDict()
	top.Set("target_encoder", sd)
	top.Set("epoch", int64(1))
	path := filepath.Join(t.TempDir(), "encoder.pt")
	require.NoError(t, torchckpt.Write(path, top))
	return path
}

// writeFixtureProbe writes the probe of the hfcls_small folder as an official V-JEPA 2 probe
// checkpoint ("classifiers": one state dict per head).
func writeFixtureProbe(t *testing.T, c *probe.Classifier) string {
	t.Helper()
	sd := torchckpt.NewOrderedDict()
	for _, s := range c.Probe.Specs() {
		sd.Set("module."+s.Name, npy.NewFloat32(s.Shape, c.Head[s.Name]))
	}
	top := torchckpt.NewDict()
	top.Set("classifiers", &torchckpt.List{Items: []any{sd}})
	path := filepath.Join(t.TempDir(), "probe.pt")
	require.NoError(t, torchckpt.Write(path, top))
	return path
}

// TestExportHFClassifier exports an encoder + predictor and an official probe checkpoint as a
// VJEPA2ForVideoClassification folder: from the fixture's own weights it rebuilds the
// fixture's model.safetensors exactly, and `vjepa classify` on the export reproduces the
// fixture's logits.
func TestExportHFClassifier(t *testing.T) {
	dir := hfClassifierFixture(t)
	c, err := probe.LoadHFClassifier(dir)
	require.NoError(t, err)
	names := testutil.WriteFile(t, "names.txt", "Sliding [something] from left to right\nSliding [something] from right to left\n"+
		"Lifting [something] up, then letting it drop\nRolling [something] across a flat surface\nTurning [something] upside down\n")
	out := filepath.Join(t.TempDir(), "hf")
	code, stderr := runCLI(t, "export", "--format", "hf-classifier", "--checkpoint", dir,
		"--probe-checkpoint", writeFixtureProbe(t, c), "--probe-config", testutil.WriteFile(t, "eval.yaml", hfclsEvalYAML),
		"--class-names", names, "--out", out)
	require.Equal(t, 0, code, stderr)
	testutil.RequireSameSafetensors(t, filepath.Join(dir, backbone.HFWeightsFile), filepath.Join(out, backbone.HFWeightsFile))
	back, err := probe.LoadHFClassifier(out)
	require.NoError(t, err)
	require.Equal(t, c, back)

	logits := filepath.Join(t.TempDir(), "logits.npy")
	code, stderr = runCLI(t, "classify", "--checkpoint", out, "--input", filepath.Join(dir, "input.npy"), "--out", logits)
	require.Equal(t, 0, code, stderr)
	requireClose(t, filepath.Join(dir, "logits_hf.npy"), logits, 1e-5)
}

// TestExportHFClassifierRefusesVJEPA1 checks that a sin-cos (V-JEPA 1) model is refused.
func TestExportHFClassifierRefusesVJEPA1(t *testing.T) {
	v1 := fixtures.MustLoad(t, "small_both")
	code, stderr := runCLI(t, "export", "--format", "hf-classifier", "--checkpoint", v1.Path("checkpoint.pth"),
		"--config", filepath.Join("testdata", "small_both.yaml"), "--probe-checkpoint", "probe.pt",
		"--probe-config", "eval.yaml", "--out", filepath.Join(t.TempDir(), "o"))
	requireCLIError(t, code, stderr, "sin-cos position tables (V-JEPA 1)", "only holds RoPE models")
}
