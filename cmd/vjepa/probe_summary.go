package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

// printProbeSummary writes one line per record, top-1 as mean ± std over the seeds (or
// labelled single seed), then the paired pretrained − random differences.
func printProbeSummary(w io.Writer, recs []*probe.Record) {
	fmt.Fprintf(w, "\n%-22s %-10s %-15s %-30s %s\n", "dataset", "backbone", "probe", "top-1 mean ± std", "top-5 mean")
	for _, r := range recs {
		fmt.Fprintf(w, "%-22s %-10s %-15s %-30s %6.2f\n", r.Dataset, r.Backbone.Init, r.Probe.Label(), r.Top1String(), r.Top5)
	}
	for _, r := range recs {
		if r.VsRandom != nil {
			fmt.Fprintf(w, "%s / %s: pretrained − random top-1 %s\n", r.Dataset, r.Probe.Label(), r.VsRandom)
		}
	}
}

// parseInts parses a comma-separated list of positive integers ("" is none).
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}
