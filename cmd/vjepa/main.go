// Command vjepa is the one CLI of vjepa-go: pretraining, probing, encoding with official or
// own checkpoints, data preparation and checking, result tables and benchmarks.
//
// Usage:
//
//	vjepa <command> [flags]
//
// Run "vjepa help" for the list of commands and "vjepa <command> -h" for their flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one sub-command of the CLI.
type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

// commands lists every sub-command. Multi-word commands ("data check") are keyed with a space.
func commands() map[string]command {
	return map[string]command{
		"classify":           {"classify videos (top-k labels), clips or frozen tokens with a Hugging Face VJEPA2ForVideoClassification folder or an encoder + probe pair", runClassify},
		"encode":             {"encode clips with a checkpoint's encoder, write tokens as .npy", runEncode},
		"predict":            {"run the context encoder and predictor of a checkpoint on given masks", runPredict},
		"pretrain":           {"V-JEPA self-supervised pretraining (resumable)", runPretrain},
		"export":             {"write a checkpoint's encoder and predictor as a Hugging Face VJEPA2Model folder, or with a trained probe as a VJEPA2ForVideoClassification", runExport},
		"embed":              {"one vector per video or image (mean-pooled, or pooled by a trained probe) as .npy + index", runEmbed},
		"probe":              {"attentive-probe evaluation of a frozen backbone (K400, SSv2, IN1K, built-in sets)", runProbe},
		"bench":              {"measure matmul peak, encoder, pretraining step, probe step and data loading (results/benchmarks.md)", runBench},
		"data check":         {"decode every sample of a list file or ImageFolder, report failures", runDataCheck},
		"data export":        {"write a built-in data set as real video files and official list files", runDataExport},
		"data fashion-mnist": {"write Fashion-MNIST (Debian dataset-fashion-mnist) as an ImageFolder", runDataFashionMNIST},
		"results":            {"write results/README.md tables and figures from results/runs", runResults},
	}
}

// exitError carries an explicit exit status (e.g. "data check" exits 1 when samples failed).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name, rest := args[0], args[1:]
	if len(rest) > 0 {
		if _, ok := cmds[name+" "+rest[0]]; ok {
			name, rest = name+" "+rest[0], rest[1:]
		}
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "vjepa: unknown command %q (run \"vjepa help\")\n", strings.Join(args[:min(2, len(args))], " "))
		return 2
	}
	err := cmd.run(ctx, rest)
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "vjepa %s: %s\n", name, ee.msg)
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "vjepa %s: %v\n", name, err)
		return 1
	}
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "vjepa: V-JEPA pretraining and frozen evaluation in Go.\n\nUsage: vjepa <command> [flags]\n\nCommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, cmds[n].summary)
	}
}
