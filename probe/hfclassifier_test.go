package probe_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/safetensors"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// hfClassifierDir is the Hugging Face VJEPA2ForVideoClassification fixture folder.
func hfClassifierDir(t *testing.T) string {
	t.Helper()
	root, err := fixtures.Root()
	require.NoError(t, err)
	return filepath.Join(root, "hfcls_small")
}

func readNpy(t *testing.T, path string) *npy.Array {
	t.Helper()
	a, err := npy.ReadFile(path)
	require.NoError(t, err)
	return a
}

// TestHFClassifierParity reads the HF classifier folder and compares its logits on the
// fixture clip with the official encoder + probe: at HF's pooler eps (config.layer_norm_eps)
// against logits_hf.npy and at the official probe's 1e-5 against logits.npy.
func TestHFClassifierParity(t *testing.T) {
	dir := hfClassifierDir(t)
	c, err := probe.LoadHFClassifier(dir)
	require.NoError(t, err)
	require.True(t, probe.IsHFClassifier(dir))
	require.Equal(t, probe.Model{Kind: probe.Attentive4, EmbedDim: 64, NumHeads: 4, NumClasses: 5, Depth: 4, NormEps: 1e-6}, c.Probe)
	require.Equal(t, "Lifting [something] up, then letting it drop", c.Labels[2])
	in := readNpy(t, filepath.Join(dir, "input.npy"))
	clip := backbone.HostTensor{Shape: in.Shape, F32: in.F32}
	backend := testutil.Backend(t)
	tests := []struct {
		name, want, other string
		eps               float64
	}{
		{"hf eps", "logits_hf.npy", "logits.npy", 1e-6},
		{"official eps", "logits.npy", "logits_hf.npy", probe.LayerNormEps},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.Probe.NormEps = tt.eps
			r, err := probe.NewClassifierRunner(backend, &cc)
			require.NoError(t, err)
			got, err := r.Logits(clip)
			require.NoError(t, err)
			require.Less(t, relErr(t, readNpy(t, filepath.Join(dir, tt.want)), got), parityTol)
			// The other eps's logits are 4.5e-5 relative away: the test tells the two apart.
			require.Greater(t, relErr(t, readNpy(t, filepath.Join(dir, tt.other)), got), parityTol)
		})
	}
}

// TestHFClassifierRoundTrip writes the fixture classifier back as a Hugging Face folder: the
// same tensors (names, order, values) and the same config.json, which reads back equal.
func TestHFClassifierRoundTrip(t *testing.T) {
	dir := hfClassifierDir(t)
	c, err := probe.LoadHFClassifier(dir)
	require.NoError(t, err)
	hw, err := backbone.OpenHFWeights(filepath.Join(dir, backbone.HFWeightsFile))
	require.NoError(t, err)
	defer hw.Close()
	pred, err := hw.ReadParams("predictor", backbone.PredictorSpecs(c.Backbone), c.Backbone, false)
	require.NoError(t, err)

	out := filepath.Join(t.TempDir(), "hf")
	require.NoError(t, c.WriteHF(out, pred))
	testutil.RequireSameSafetensors(t, filepath.Join(dir, backbone.HFWeightsFile), filepath.Join(out, backbone.HFWeightsFile))
	require.Equal(t, readJSON(t, filepath.Join(dir, backbone.HFConfigFile)), readJSON(t, filepath.Join(out, backbone.HFConfigFile)))
	back, err := probe.LoadHFClassifier(out)
	require.NoError(t, err)
	require.Equal(t, c, back)
}

// TestHFClassifierExportRefused checks the classifiers a Hugging Face folder cannot hold.
func TestHFClassifierExportRefused(t *testing.T) {
	c, err := probe.LoadHFClassifier(hfClassifierDir(t))
	require.NoError(t, err)
	tests := []struct {
		name   string
		change func(c *probe.Classifier)
		want   string
	}{
		{"V-JEPA 1", func(c *probe.Classifier) { c.Backbone.UseRoPE = false }, "V-JEPA 1 model (sin-cos position tables)"},
		{"V-JEPA 1 probe", func(c *probe.Classifier) { c.Probe.Kind = probe.Attentive }, "probe type \"attentive\""},
		{"labels", func(c *probe.Classifier) { c.Labels = c.Labels[:3] }, "3 class names for a probe of 5 classes"},
		{"heads", func(c *probe.Classifier) { c.Probe.NumHeads = 2 }, "one num_attention_heads for both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			tt.change(&cc)
			err := cc.WriteHF(filepath.Join(t.TempDir(), "hf"), nil)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// copyClassifier writes the fixture folder to a new folder with config.json edited by
// editConfig and the tensors filtered by keep.
func copyClassifier(t *testing.T, editConfig func(map[string]any), keep func(name string) bool) string {
	t.Helper()
	src := hfClassifierDir(t)
	dir := t.TempDir()
	cfg := readJSON(t, filepath.Join(src, backbone.HFConfigFile))
	editConfig(cfg)
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, backbone.HFConfigFile), raw, 0o644))
	f, err := safetensors.Open(filepath.Join(src, backbone.HFWeightsFile))
	require.NoError(t, err)
	defer f.Close()
	var ts []safetensors.Tensor
	for _, n := range f.Names() {
		if !keep(n) {
			continue
		}
		v, shape, err := f.Float32(n)
		require.NoError(t, err)
		ts = append(ts, safetensors.Tensor{Name: n, Shape: shape, F32: v})
	}
	require.NoError(t, safetensors.WriteFile(filepath.Join(dir, backbone.HFWeightsFile), ts, nil))
	return dir
}

// TestLoadHFClassifierBadInput checks that a folder that does not fit its config is one
// error naming the file and the problem.
func TestLoadHFClassifierBadInput(t *testing.T) {
	all := func(string) bool { return true }
	same := func(map[string]any) {}
	tests := []struct {
		name       string
		editConfig func(map[string]any)
		keep       func(string) bool
		want       []string
	}{
		{"missing tensor", same, func(n string) bool { return n != "pooler.cross_attention_layer.cross_attn.v_proj.bias" },
			[]string{"model.safetensors", "missing pooler.cross_attention_layer.cross_attn.v_proj.bias"}},
		{"more pooler layers", func(c map[string]any) { c["num_pooler_layers"] = 4 }, all,
			[]string{"missing pooler.self_attention_layers.3.layer_norm1.weight"}},
		{"fewer pooler layers", func(c map[string]any) { c["num_pooler_layers"] = 2 }, all,
			[]string{"unexpected pooler.self_attention_layers.2.layer_norm1.bias"}},
		{"labels", func(c map[string]any) { c["id2label"] = map[string]any{"0": "a", "1": "b"}; c["num_labels"] = 2 }, all,
			[]string{"classifier.weight has shape [5 64], the config needs [2 64]"}},
		{"id gap", func(c map[string]any) { c["id2label"] = map[string]any{"0": "a", "2": "b"}; delete(c, "num_labels") }, all,
			[]string{"config.json", "no id 1"}},
		{"encoder", func(c map[string]any) { c["hidden_size"] = 32 }, all, []string{"model.safetensors"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := probe.LoadHFClassifier(copyClassifier(t, tt.editConfig, tt.keep))
			require.Error(t, err)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
			require.NotContains(t, err.Error(), "\n")
		})
	}
	t.Run("a VJEPA2Model folder", func(t *testing.T) {
		root, err := fixtures.Root()
		require.NoError(t, err)
		require.False(t, probe.IsHFClassifier(filepath.Join(root, "v2_small")))
		_, err = probe.LoadHFClassifier(filepath.Join(root, "v2_small"))
		require.ErrorContains(t, err, "not a VJEPA2ForVideoClassification: no classifier.weight")
	})
}

// TestClassifierProbabilities checks the one-call multi-view × multi-segment path against
// classifying each view separately (Encoder.Features concatenates the segments' tokens).
func TestClassifierProbabilities(t *testing.T) {
	dir := hfClassifierDir(t)
	c, err := probe.LoadHFClassifier(dir)
	require.NoError(t, err)
	in := readNpy(t, filepath.Join(dir, "input.npy"))
	clip := func(scale float32) backbone.HostTensor {
		x := backbone.HostTensor{Shape: in.Shape, F32: make([]float32, len(in.F32))}
		for i, v := range in.F32 {
			x.F32[i] = v * scale
		}
		return x
	}
	batch := &datasets.Batch{Clips: [][]backbone.HostTensor{{clip(1), clip(-0.5)}, {clip(0.7), clip(1.3)}, {clip(-1), clip(0.2)}}}
	backend := testutil.Backend(t)
	r, err := probe.NewClassifierRunner(backend, c)
	require.NoError(t, err)
	got, err := r.Probabilities(batch)
	require.NoError(t, err)

	enc, err := probe.NewEncoder(backend, c.Backbone, c.Encoder)
	require.NoError(t, err)
	views, err := enc.Features(batch)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i := range got {
		want := make([]float32, 5)
		for _, x := range views {
			logits, err := r.TokenLogits(x)
			require.NoError(t, err)
			for j, p := range probe.SoftmaxOf(logits.F32[i*5 : (i+1)*5]) {
				want[j] += p / float32(len(views))
			}
		}
		require.InDeltaSlice(t, want, got[i], 1e-6)
	}
}

// TestTopClasses checks the order (probability, then class index) and the names.
func TestTopClasses(t *testing.T) {
	top := probe.TopClasses([]float32{0.1, 0.4, 0.1, 0.4}, []string{"a", "b", "c"}, 3)
	require.Equal(t, []probe.Prediction{{Class: 1, Label: "b", Probability: 0.4}, {Class: 3, Label: "3", Probability: 0.4},
		{Class: 0, Label: "a", Probability: 0.1}}, top)
	require.Len(t, probe.TopClasses([]float32{1}, nil, 5), 1)
}
