package main

import (
	"flag"
	"fmt"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/internal/backend"
)

// newFlagSet returns the flag set of the command name, which reports errors (ContinueOnError).
// A non-empty usage replaces the default usage line: it is printed, then the flag defaults.
func newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprint(fs.Output(), usage)
			fs.PrintDefaults()
		}
	}
	return fs
}

// backendFlags are the flags every command that computes shares.
type backendFlags struct {
	backend   string
	allowSlow bool
}

func (b *backendFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.backend, "backend", "", `compute backend: "go" (pure Go), "xla:cpu", "xla:cuda", … (default: $GOMLX_BACKEND, else XLA if a PJRT plugin is installed, else go)`)
	fs.BoolVar(&b.allowSlow, "allow-slow", false, "allow the pure-Go backend without GOEXPERIMENT=simd (about 36x slower)")
}

// parseWithBackend registers the backend flags on fs, then parses args.
func parseWithBackend(fs *flag.FlagSet, args []string) (*backendFlags, error) {
	bf := new(backendFlags)
	bf.register(fs)
	return bf, fs.Parse(args)
}

func (b *backendFlags) open() (compute.Backend, error) {
	be, err := backend.Select(b.backend, b.allowSlow)
	if err != nil {
		return nil, fmt.Errorf("%w (flags: --backend go|xla:cpu|xla:cuda, --allow-slow)", err)
	}
	return be, nil
}
