package main

import (
	"context"
	"fmt"
	"os"

	"github.com/vjepa-go/vjepa/results"
)

// runResults implements "vjepa results": it turns the probe run records into results/README.md,
// results/runs.md and results/figures/*.png, or with --check only checks the records. Invalid
// records make it fail, naming every bad file.
func runResults(ctx context.Context, args []string) error {
	fs := newFlagSet("results", "Usage: vjepa results [--check] [--runs results/runs] [--out results] [--base .]\n\n"+
		"Writes <out>/README.md (summary per data set, official vs ours, figures, reruns), <out>/runs.md\n"+
		"(per-run details) and <out>/figures/*.png from the probe run records <runs>/*.json and the\n"+
		"logs committed under <out>. With --check it writes nothing and exits non-zero, naming the\n"+
		"record, when a record references a missing run, claims a pair that mixes protocols or\n"+
		"encoders, or stores a mean or std that disagrees with its own per-seed values.\n\nFlags:\n")
	check := fs.Bool("check", false, "only check the records (no files written); non-zero exit on any problem")
	runs := fs.String("runs", "results/runs", "folder of probe run records (*.json)")
	out := fs.String("out", "results", "output folder for README.md, runs.md and figures/; also holds the committed logs")
	base := fs.String("base", "", "folder that relative pretraining run paths are resolved against, to copy their logs (default: working directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	opts := results.Options{RunsDir: *runs, OutDir: *out, BaseDir: *base}
	if *check {
		return checkResults(opts)
	}
	sum, err := results.Generate(ctx, opts)
	if err != nil {
		return err
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(os.Stderr, "vjepa results: warning: %s\n", w)
	}
	for _, c := range sum.Copied {
		fmt.Fprintf(os.Stderr, "vjepa results: copied %s (commit it with the records)\n", c)
	}
	fmt.Fprintf(os.Stderr, "vjepa results: %d run(s) -> %s, %s and %d figure(s)\n", sum.Runs, sum.Readme, sum.RunsPage, len(sum.Figures))
	return nil
}

// checkResults prints every problem of the records and fails if there is one.
func checkResults(opts results.Options) error {
	problems, err := results.Check(opts)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "vjepa results --check: %s/%s\n", opts.RunsDir, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) in the records of %s", len(problems), opts.RunsDir)
	}
	fmt.Fprintf(os.Stderr, "vjepa results --check: records in %s are consistent\n", opts.RunsDir)
	return nil
}
