package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/compute/dtypes"

	"github.com/vjepa-go/vjepa/benchmarks"
	"github.com/vjepa-go/vjepa/pretrain"
)

// runBench measures the machine's matmul peak, the encoder forward, the pretraining step
// with its phases, the probe step, data loading and peak memory, and prints the Markdown
// report (with --report, writes it to --out).
func runBench(ctx context.Context, args []string) error {
	fs := newFlagSet("bench", "")
	report := fs.Bool("report", false, "write the report to --out instead of printing it")
	out := fs.String("out", "results/benchmarks.md", "report file written with --report")
	quick := fs.Bool("quick", false, "fast smoke run: fewer iterations, no ViT-B forward and no ViT-S/ViT-B step")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file (one object per case)")
	cases := fs.String("cases", "", "comma-separated cases to run (e.g. encoder_forward:vit_tiny-8x112,pretrain_step:cpu-default), "+
		"only those, without data loading; the official shapes (encoder_forward:vitl16-16x224, vith16-16x384, vjepa2_vitl-64x256, "+
		"vjepa2_vitg-64x384 (GPU only), probe_step:vjepa2_vitl-ssv2-16x2x3) run only when named here; or loader: the video loader "+
		"rows and the 16×224 encoder forward (with --report, replaces only the data loading section of the existing --out)")
	batch := fs.Int("batch", 0, "clips per call for every case (0: each case's own, lowered to what fits memory); "+
		"a fixed batch that does not fit stops before allocating")
	reference := fs.Bool("reference", false, "time the official PyTorch code beside ours with the reference kit: each case and "+
		"the matmul peak (torch sgemm) alternate with ours, two rounds, best of each (needs python3 with torch and $JEPA_SRC, "+
		"benchmarks/reference/README.md)")
	refDir := fs.String("reference-kit", benchmarks.DefaultReferenceDir, "folder of the reference kit for --reference")
	precision := fs.String("precision", pretrain.PrecisionFloat32, "matrix products of the transformer blocks: float32 or bfloat16")
	gradCkpt := fs.Bool("grad-checkpointing", false, "recompute each transformer block's activations in the backward pass of the steps")
	refPython := fs.String("reference-python", "", "interpreter for --reference (default: python3, else /usr/bin/python3)")
	var xf executionFlags
	xf.registerAttention(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if *precision != pretrain.PrecisionFloat32 && *precision != pretrain.PrecisionBFloat16 {
		return fmt.Errorf("--precision: unknown precision %q (valid: float32, bfloat16)", *precision)
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	attn, err := xf.attentionOnly(backend)
	if err != nil {
		return err
	}
	opts, err := benchmarks.DefaultOptions(backend, *quick)
	if err != nil {
		return err
	}
	// The execution is set before the cases are selected: a fixed --batch is checked
	// against memory there, with the attention it will run.
	opts.Exec = attn
	if *precision == pretrain.PrecisionBFloat16 {
		opts.Exec.ComputeDType = dtypes.BFloat16
	}
	opts.Exec.GradCheckpointing = *gradCkpt
	if *cases == "loader" {
		opts = opts.LoaderCases()
	} else if err := opts.SelectCases(benchmarks.ParseCaseList(*cases)); err != nil {
		return err
	}
	if *batch != 0 {
		if err := opts.FixBatch(*batch); err != nil {
			return err
		}
	}
	if *reference {
		opts.Reference = &benchmarks.ReferenceKit{Dir: *refDir, Python: *refPython}
	}
	opts.Command = commandLine("vjepa bench", args)
	opts.Progress = os.Stderr
	fmt.Fprintf(os.Stderr, "benchmarking on %s (quick: %v, blocks: %s)\n", backend.Name(), *quick, opts.Exec)
	r, err := benchmarks.Run(ctx, opts)
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := r.WriteJSON(*jsonOut); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *jsonOut)
	}
	if !*report {
		md, err := r.Markdown()
		if err != nil {
			return err
		}
		_, err = fmt.Print(md)
		return err
	}
	if opts.LoaderOnly {
		if err := r.MergeLoading(*out); err != nil {
			return err
		}
	} else if err := r.WriteMarkdown(*out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %s\n", *out, r.Duration.Round(1e9))
	return nil
}

// commandLine joins prog and args for the report, single-quoting arguments the shell would
// split or expand.
func commandLine(prog string, args []string) string {
	parts := []string{prog}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
