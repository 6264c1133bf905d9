package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

// executionFlags are the flags of the frozen-evaluation commands that choose how the
// transformer blocks are computed: the attention algorithm and the precision of the
// blocks' matrix products. Neither changes the model, only memory, speed and rounding.
type executionFlags struct {
	attention string
	chunk     int
	precision string
}

// register adds --attention, --attention-chunk and --precision to fs.
func (x *executionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&x.attention, "attention", backbone.AttentionAuto.String(),
		"attention algorithm: auto (fused on XLA with a GPU; else chunked when one layer's scores exceed 256 MiB, else full), full, chunked, or fused (slow on the go backend)")
	fs.IntVar(&x.chunk, "attention-chunk", 0, "queries per chunk of chunked attention (0: as many as keep one chunk's scores within 256 MiB)")
	fs.StringVar(&x.precision, "precision", "auto",
		"matrix products of the transformer blocks: "+strings.Join(backbone.Precisions, ", ")+" (auto: the evaluation config's dtype on a GPU, float32 elsewhere); softmax, LayerNorm and outputs stay float32")
}

// execution returns the block execution the flags ask for on backend b; configDType is the
// evaluation config's dtype (meta.dtype), "" where the command has no evaluation config.
func (x *executionFlags) execution(b compute.Backend, configDType string) (backbone.Execution, error) {
	mode, err := backbone.ParseAttentionMode(x.attention)
	if err != nil {
		return backbone.Execution{}, fmt.Errorf("--attention: %w", err)
	}
	dt, err := backbone.ResolvePrecision(x.precision, configDType, pretrain.LowPrecisionFast(b))
	if err != nil {
		return backbone.Execution{}, fmt.Errorf("--precision: %w", err)
	}
	e := backbone.Execution{Attention: mode, AttentionChunk: x.chunk, ComputeDType: dt}
	if err := e.CheckAttention(b); err != nil {
		return backbone.Execution{}, fmt.Errorf("--attention: %w", err)
	}
	return e, nil
}
