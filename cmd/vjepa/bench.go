package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vjepa-go/vjepa/benchmarks"
)

// runBench measures the machine's matmul peak, the encoder forward, the pretraining step
// with its phases, the probe step, data loading and peak memory, and prints the Markdown
// report (with --report, writes it to --out).
func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	report := fs.Bool("report", false, "write the report to --out instead of printing it")
	out := fs.String("out", "results/benchmarks.md", "report file written with --report")
	quick := fs.Bool("quick", false, "fast smoke run: fewer iterations, no ViT-B forward and no ViT-S step")
	cases := fs.String("cases", "all", "benchmarks to run: all, or loader (the video loader rows and the 16×224 "+
		"encoder forward; with --report, replaces only the data loading section of the existing --out)")
	var bf backendFlags
	bf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	opts, err := benchmarks.DefaultOptions(backend, *quick)
	if err != nil {
		return err
	}
	switch *cases {
	case "all":
	case "loader":
		opts = opts.LoaderCases()
	default:
		return fmt.Errorf("unknown --cases %q (want all or loader)", *cases)
	}
	opts.Command = commandLine("vjepa bench", args)
	opts.Progress = os.Stderr
	fmt.Fprintf(os.Stderr, "benchmarking on %s (quick: %v)\n", backend.Name(), *quick)
	r, err := benchmarks.Run(ctx, opts)
	if err != nil {
		return err
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
