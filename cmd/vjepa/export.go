package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/probe"
)

// Export layouts.
const (
	formatHF           = "hf"            // Hugging Face VJEPA2Model
	formatHFClassifier = "hf-classifier" // Hugging Face VJEPA2ForVideoClassification
)

// runExport converts weights to another layout: "hf", a folder with model.safetensors and
// config.json that transformers' VJEPA2Model.from_pretrained loads, or "hf-classifier", the
// same with a trained attentive probe as a VJEPA2ForVideoClassification.
func runExport(_ context.Context, args []string) error {
	fs := newFlagSet("export", "")
	configPath := fs.String("config", "", "pretraining YAML describing the model (not needed when the weights come with a Hugging Face config.json)")
	ckptPath := fs.String("checkpoint", "", "weights with encoder and predictor (official checkpoint, released .pt, ours, or Hugging Face)")
	encKey := fs.String("encoder", "encoder", "which encoder to export: encoder (what the official hub and the HF conversion load) or target_encoder; for hf-classifier the default is the probe config's checkpoint_key (target_encoder), the encoder the probe was trained on")
	format := fs.String("format", formatHF, `output layout: "hf" (Hugging Face VJEPA2Model: model.safetensors + config.json) or "hf-classifier" (VJEPA2ForVideoClassification: the model with --probe-checkpoint)`)
	probeCkpt := fs.String("probe-checkpoint", "", "hf-classifier: the trained V-JEPA 2 (attentive4) probe, official or ours")
	probeConfig := fs.String("probe-config", "", "hf-classifier: the frozen-evaluation YAML or preset the probe was trained with (its structure and classes)")
	head := fs.Int("head", 0, "hf-classifier: which probe head of --probe-checkpoint")
	classNames := fs.String("class-names", "", "hf-classifier: file with one class name per line for id2label (default: the class indices)")
	out := fs.String("out", "", "output folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ckptPath == "" || *out == "" {
		return fmt.Errorf("--checkpoint and --out are required")
	}
	if *format != formatHF && *format != formatHFClassifier {
		return fmt.Errorf("--format %q is not supported (valid: %s, %s)", *format, formatHF, formatHFClassifier)
	}
	if *encKey != "target_encoder" && *encKey != "encoder" {
		return fmt.Errorf("--encoder must be target_encoder or encoder, got %q", *encKey)
	}
	if st, err := os.Stat(*out); err == nil && !st.IsDir() {
		return fmt.Errorf("--out %s exists and is not a folder", *out)
	}
	ck, c, err := openWeights(*ckptPath, *configPath)
	if err != nil {
		return err
	}
	defer ck.Close()
	c = withFileMaskTokens(c, ck)
	if !c.UseRoPE {
		return fmt.Errorf("%s: the model uses sin-cos position tables (V-JEPA 1); the Hugging Face VJEPA2 layout only holds RoPE models (model.use_rope: true)", *ckptPath)
	}
	if *format == formatHFClassifier {
		key := ""
		if flagGiven(fs, "encoder") {
			key = *encKey
		}
		src := classifierSource{probe: *probeCkpt, config: *probeConfig, head: *head, classNames: *classNames}
		return exportHFClassifier(ck, c, key, src, *out)
	}
	enc, err := ck.ReadParams(*encKey, backbone.EncoderSpecs(c), c, false)
	if err != nil {
		return err
	}
	pred, err := ck.ReadParams("predictor", backbone.PredictorSpecs(c), c, false)
	if err != nil {
		return err
	}
	if err := backbone.WriteHF(*out, c, enc, pred); err != nil {
		return fmt.Errorf("%s: %w", *out, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s\n", filepath.Join(*out, backbone.HFWeightsFile), filepath.Join(*out, backbone.HFConfigFile))
	return nil
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// exportHFClassifier writes the encoder and predictor of ck (model c) with a trained probe as
// a VJEPA2ForVideoClassification folder. encKey "" takes the probe config's checkpoint_key.
func exportHFClassifier(ck backbone.ParamSource, c backbone.Config, encKey string, src classifierSource, out string) error {
	if src.probe == "" || src.config == "" {
		return fmt.Errorf("--format %s needs --probe-checkpoint and --probe-config (the probe's frozen-evaluation YAML)", formatHFClassifier)
	}
	cfg, err := src.evalConfig()
	if err != nil {
		return err
	}
	m, head, keyFromConfig, err := src.loadProbe(cfg)
	if err != nil {
		return err
	}
	if m.EmbedDim != c.EmbedDim {
		return fmt.Errorf("%s: the probe is %d wide, the encoder of %s %d", src.config, m.EmbedDim, ck.Path(), c.EmbedDim)
	}
	if encKey == "" {
		encKey = keyFromConfig
	}
	encKey = backbone.EncoderKey(ck, encKey)
	enc, err := ck.ReadParams(encKey, backbone.EncoderSpecs(c), c, false)
	if err != nil {
		return err
	}
	pred, err := ck.ReadParams("predictor", backbone.PredictorSpecs(c), c, false)
	if err != nil {
		return err
	}
	labels, err := src.labels(m.NumClasses)
	if err != nil {
		return err
	}
	cl := &probe.Classifier{Backbone: c, Encoder: enc, Probe: m, Head: head, Labels: labels}
	if err := cl.WriteHF(out, pred); err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s (%s; Hugging Face runs the pooler's LayerNorms at eps %g, the official probe at %g)\n",
		filepath.Join(out, backbone.HFWeightsFile), filepath.Join(out, backbone.HFConfigFile), backbone.HFClassifierArchitecture,
		backbone.LayerNormEps, probe.LayerNormEps)
	return nil
}
