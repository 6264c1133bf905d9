package backbone_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestParseHFConfig(t *testing.T) {
	// save_pretrained leaves out fields equal to VJEPA2Config's defaults (ViT-L, 256 px, 64 frames).
	c, err := backbone.ParseHFConfig([]byte(`{"model_type":"vjepa2"}`))
	require.NoError(t, err)
	require.Equal(t, 1024, c.EmbedDim)
	require.Equal(t, 24, c.Depth)
	require.Equal(t, 16, c.NumHeads)
	require.Equal(t, 256, c.CropSize)
	require.Equal(t, 64, c.NumFrames)
	require.Equal(t, 12, c.PredHeads())
	require.Equal(t, 10, c.NumMaskTokens)
	require.True(t, c.UseRoPE)

	giant, err := backbone.ParseHFConfig([]byte(`{"model_type":"vjepa2","hidden_size":1408,"num_attention_heads":22,"num_hidden_layers":40,"mlp_ratio":4.363636363636363,"crop_size":384}`))
	require.NoError(t, err)
	require.Equal(t, 6144, giant.MLPHidden())

	for _, tc := range []struct{ name, json, want string }{
		{"not json", `{`, "not a Hugging Face config.json"},
		{"other model", `{"model_type":"vit"}`, `model_type "vit"`},
		{"eps", `{"model_type":"vjepa2","layer_norm_eps":1e-5}`, "layer_norm_eps"},
		{"act", `{"model_type":"vjepa2","hidden_act":"gelu_new"}`, "hidden_act"},
		{"heads", `{"model_type":"vjepa2","num_attention_heads":7}`, "not divisible"},
		{"rope too narrow", `{"model_type":"vjepa2","hidden_size":8,"num_attention_heads":2}`, "too small for 3-D RoPE"},
		{"mask tokens", `{"model_type":"vjepa2","pred_num_mask_tokens":0}`, "pred_num_mask_tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backbone.ParseHFConfig([]byte(tc.json))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestWriteHFMatchesFixture writes the weights of checkpoint.pt in the HF layout and checks
// the file against the fixture's model.safetensors (made by transformers' key map) and that
// it reads back to the same parameters with no --config.
func TestWriteHFMatchesFixture(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	enc, err := f.Params("checkpoint.pt", "encoder")
	require.NoError(t, err)
	pred, err := f.Params("checkpoint.pt", "predictor")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "hf")
	require.NoError(t, backbone.WriteHF(dir, f.Config, enc, pred))

	testutil.RequireSameSafetensors(t, f.Path("model.safetensors"), filepath.Join(dir, backbone.HFWeightsFile))

	src, cfg, err := backbone.OpenParamSource(dir)
	require.NoError(t, err)
	defer src.Close()
	require.NotNil(t, cfg)
	back, err := src.ReadParams("target_encoder", backbone.EncoderSpecs(*cfg), *cfg, false)
	require.NoError(t, err)
	require.Equal(t, enc, back)
	backPred, err := src.ReadParams("predictor", backbone.PredictorSpecs(*cfg), *cfg, false)
	require.NoError(t, err)
	require.Equal(t, pred, backPred)

	sinCos := f.Config
	sinCos.UseRoPE = false
	require.ErrorContains(t, backbone.WriteHF(t.TempDir(), sinCos, enc, pred), "RoPE")
}

// TestOpenParamSource checks that weights are recognised by content, not by name, and that
// the config.json found with the fixture's weights describes the same model as reference.json.
func TestOpenParamSource(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	hfCfg := f.Config
	hfCfg.UniformPower = false // irrelevant with RoPE; config.json has no such field
	dir := t.TempDir()
	copyFile := func(src, dst string) string {
		raw, err := os.ReadFile(src)
		require.NoError(t, err)
		p := filepath.Join(dir, dst)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, raw, 0o644))
		return p
	}
	ptAsBin := copyFile(f.Path("checkpoint.pt"), "weights.bin")
	stAsPt := copyFile(f.Path("model.safetensors"), "alone/misnamed.pt")
	garbage := filepath.Join(dir, "model.safetensors")
	require.NoError(t, os.WriteFile(garbage, []byte("not a checkpoint at all"), 0o644))
	emptyDir := filepath.Join(dir, "empty")
	require.NoError(t, os.MkdirAll(emptyDir, 0o755))
	noCfg := filepath.Join(dir, "nocfg")
	copyFile(f.Path("model.safetensors"), "nocfg/model.safetensors")

	tests := []struct {
		name    string
		path    string
		wantCfg bool
		hf      bool
		err     string
	}{
		{"fixture folder", f.Dir, true, true, ""},
		{"safetensors with config.json beside", f.Path("model.safetensors"), true, true, ""},
		{"torch zip named .bin", ptAsBin, false, false, ""},
		{"safetensors named .pt, no config", stAsPt, false, true, ""},
		{"garbage named model.safetensors", garbage, false, false, "not a checkpoint"},
		{"folder without weights", emptyDir, false, false, "must hold model.safetensors and config.json"},
		{"folder without config", noCfg, false, false, "config.json is missing"},
		{"missing", filepath.Join(dir, "nope"), false, false, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, cfg, err := backbone.OpenParamSource(tc.path)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			defer src.Close()
			require.Equal(t, tc.wantCfg, cfg != nil)
			if tc.wantCfg {
				require.Equal(t, hfCfg, *cfg)
			}
			_, isHF := src.(*backbone.HFWeights)
			require.Equal(t, tc.hf, isHF)
			require.True(t, src.Has("encoder"))
			require.True(t, src.Has("predictor"))
			// Either source gives the same weights.
			p, err := src.ReadParams("encoder", backbone.EncoderSpecs(f.Config), f.Config, false)
			require.NoError(t, err)
			want, err := f.Params("checkpoint.pt", "encoder")
			require.NoError(t, err)
			require.Equal(t, want, p)
		})
	}
}

// TestHFReadMismatch checks the one-line errors of an HF file that does not fit the model.
func TestHFReadMismatch(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	src, cfg, err := backbone.OpenParamSource(f.Dir)
	require.NoError(t, err)
	defer src.Close()
	other := *cfg
	other.Depth = 3
	_, err = src.ReadParams("encoder", backbone.EncoderSpecs(other), other, false)
	require.ErrorContains(t, err, "missing: blocks.2.")
	other = *cfg
	other.NumMaskTokens = 3
	_, err = src.ReadParams("predictor", backbone.PredictorSpecs(other), other, false)
	require.ErrorContains(t, err, "missing: mask_tokens.2")
	other.NumMaskTokens = 1
	_, err = src.ReadParams("predictor", backbone.PredictorSpecs(other), other, false)
	require.ErrorContains(t, err, "model 1 mask tokens")
	other = *cfg
	other.EmbedDim, other.NumHeads = 96, 4
	_, err = src.ReadParams("encoder", backbone.EncoderSpecs(other), other, false)
	require.ErrorContains(t, err, "wrong shape")
	_, err = src.ReadParams("opt", nil, *cfg, false)
	require.ErrorContains(t, err, "model.safetensors")
	other = *cfg
	other.UseRoPE = false
	_, err = src.ReadParams("encoder", backbone.EncoderSpecs(other), other, true)
	require.ErrorContains(t, err, "set use_rope: true")
}
