package main

import (
	"context"
	"fmt"
	"os"

	"github.com/vjepa-go/vjepa/results"
)

// runResults implements "vjepa results": it turns the probe run records into results/README.md
// and results/figures/*.png. Invalid records make it fail, naming every bad file.
func runResults(ctx context.Context, args []string) error {
	fs := newFlagSet("results", "Usage: vjepa results [--runs results/runs] [--out results] [--base .]\n\n"+
		"Writes <out>/README.md (tables per benchmark, comparison with the papers, probe sweeps)\n"+
		"and <out>/figures/*.png from the probe run records <runs>/*.json.\n\nFlags:\n")
	runs := fs.String("runs", "results/runs", "folder of probe run records (*.json)")
	out := fs.String("out", "results", "output folder for README.md and figures/")
	base := fs.String("base", "", "folder that relative pretraining run paths are resolved against (default: working directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	sum, err := results.Generate(ctx, results.Options{RunsDir: *runs, OutDir: *out, BaseDir: *base})
	if err != nil {
		return err
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(os.Stderr, "vjepa results: warning: %s\n", w)
	}
	fmt.Fprintf(os.Stderr, "vjepa results: %d run(s) -> %s and %d figure(s)\n", sum.Runs, sum.Readme, len(sum.Figures))
	return nil
}
