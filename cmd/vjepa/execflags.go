package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

// executionFlags are the flags that choose how the transformer blocks are computed: the
// attention algorithm (every command that runs blocks) and, for the frozen-evaluation
// commands, the precision of the blocks' matrix products. Neither changes the model, only
// memory, speed and rounding.
type executionFlags struct {
	attention string
	chunk     int
	precision string
}

// register adds --attention, --attention-chunk and --precision to fs.
func (x *executionFlags) register(fs *flag.FlagSet) {
	x.registerAttention(fs)
	fs.StringVar(&x.precision, "precision", "auto",
		"matrix products of the transformer blocks: "+strings.Join(backbone.Precisions, ", ")+" (auto: the evaluation config's dtype on a GPU, float32 elsewhere); softmax, LayerNorm and outputs stay float32")
}

// registerAttention adds only --attention and --attention-chunk, for the commands whose
// --precision has its own meaning (pretrain, bench).
func (x *executionFlags) registerAttention(fs *flag.FlagSet) {
	fs.StringVar(&x.attention, "attention", backbone.AttentionAuto.String(),
		"attention algorithm: auto (fused on XLA with a GPU; else chunked when one layer's scores exceed 256 MiB, else full), full, chunked, or fused (slow on the go backend)")
	fs.IntVar(&x.chunk, "attention-chunk", 0, "queries per chunk of chunked attention (0: as many as keep one chunk's scores within 256 MiB)")
}

// validate checks the spelling of the flags without a backend, so that a command refuses a
// bad value before it loads data or weights.
func (x *executionFlags) validate() error {
	if _, err := x.attentionMode(); err != nil {
		return err
	}
	if x.precision != "" {
		if _, err := backbone.ResolvePrecision(x.precision, "", false); err != nil {
			return fmt.Errorf("--precision: %w", err)
		}
	}
	return nil
}

// attentionMode parses --attention and checks --attention-chunk.
func (x *executionFlags) attentionMode() (backbone.AttentionMode, error) {
	mode, err := backbone.ParseAttentionMode(x.attention)
	if err != nil {
		return 0, fmt.Errorf("--attention: %w", err)
	}
	if x.chunk < 0 {
		return 0, fmt.Errorf("--attention-chunk %d: want a positive number of queries, or 0 for automatic", x.chunk)
	}
	return mode, nil
}

// attentionOnly returns the execution with only the attention flags applied, checked
// against backend b: the commands that resolve the precision themselves add theirs to it.
func (x *executionFlags) attentionOnly(b compute.Backend) (backbone.Execution, error) {
	mode, err := x.attentionMode()
	if err != nil {
		return backbone.Execution{}, err
	}
	e := backbone.Execution{Attention: mode, AttentionChunk: x.chunk}
	if err := e.CheckAttention(b); err != nil {
		return backbone.Execution{}, fmt.Errorf("--attention: %w", err)
	}
	return e, nil
}

// execution returns the block execution the flags ask for on backend b; configDType is the
// evaluation config's dtype (meta.dtype), "" where the command has no evaluation config.
func (x *executionFlags) execution(b compute.Backend, configDType string) (backbone.Execution, error) {
	e, err := x.attentionOnly(b)
	if err != nil {
		return backbone.Execution{}, err
	}
	if e.ComputeDType, err = backbone.ResolvePrecision(x.precision, configDType, pretrain.LowPrecisionFast(b)); err != nil {
		return backbone.Execution{}, fmt.Errorf("--precision: %w", err)
	}
	return e, nil
}
