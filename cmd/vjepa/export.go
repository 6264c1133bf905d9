package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/backbone"
)

// runExport converts weights to another layout. The one layout so far is "hf": a folder with
// model.safetensors and config.json that transformers' VJEPA2Model.from_pretrained loads.
func runExport(_ context.Context, args []string) error {
	fs := newFlagSet("export", "")
	configPath := fs.String("config", "", "pretraining YAML describing the model (not needed when the weights come with a Hugging Face config.json)")
	ckptPath := fs.String("checkpoint", "", "weights with encoder and predictor (official checkpoint, released .pt, ours, or Hugging Face)")
	encKey := fs.String("encoder", "encoder", "which encoder to export: encoder (what the official hub and the HF conversion load) or target_encoder")
	format := fs.String("format", "hf", `output layout: "hf" (Hugging Face VJEPA2Model: model.safetensors + config.json)`)
	out := fs.String("out", "", "output folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ckptPath == "" || *out == "" {
		return fmt.Errorf("--checkpoint and --out are required")
	}
	if *format != "hf" {
		return fmt.Errorf("--format %q is not supported (valid: hf)", *format)
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
