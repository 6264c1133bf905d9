package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
	"github.com/vjepa-go/vjepa/probe"
)

// tinyOptions measures toy sizes of every benchmark in a few seconds.
func tinyOptions(t *testing.T) Options {
	t.Helper()
	backend := testutil.Backend(t)
	c, err := PresetAt("vit_tiny", 4, 32, 8)
	require.NoError(t, err)
	c.Depth, c.PredDepth, c.PredEmbedDim = 1, 1, 48
	heavy, err := PresetAt("vit_base", 16, 224, 16)
	require.NoError(t, err)
	return Options{
		Backend:     backend,
		Command:     "vjepa bench --quick --out x.md",
		Quick:       true,
		MatMulSizes: []int{32, 64},
		MatMulReps:  1,
		Encoders: []EncoderCase{
			{Name: "ViT-T 8×112", Config: c, Batch: 2}, // a reference row name, tiny sizes
			{Name: "ViT-B 16×224", Config: heavy, Batch: 2, Heavy: true},
		},
		Steps:       []StepCase{{Name: "tiny", Config: c, Masks: pretrain.DefaultMaskConfigs(), Batch: 2}},
		Budget:      Budget{MinIters: 1, MaxIters: 1},
		DataBatches: 1,
		MaskDraws:   2,
		Video: VideoLoaderCase{Videos: 1, Seconds: 2, Width: 64, Height: 48, FPS: 15, Frames: 4, Crop: 32,
			Batch: 1, Workers: 1, Clips: 1},
		Synthetic: SyntheticLoaderCase{Frames: 4, Size: 16, Batch: 2, Workers: 2, Batches: 1},
		Probes: []ProbeCase{{Name: "tiny probe", Ref: "tiny", Tokens: 8, Batch: 4, Heads: 2,
			Model: probe.Model{Kind: probe.Attentive, EmbedDim: 32, NumHeads: 2, NumClasses: 4}}},
	}
}

func TestReportRendersEverySection(t *testing.T) {
	r, err := Run(context.Background(), tinyOptions(t))
	require.NoError(t, err)

	md, err := r.Markdown()
	require.NoError(t, err)
	for _, s := range Sections() {
		assert.Contains(t, md, "\n"+s+"\n", "section %q", s)
	}
	for _, want := range []string{
		"vjepa bench --quick --out x.md",
		"| tiny probe ",
		"skipped (--quick)",
		"share of peak",
		"| ViT-T 8×112 ", "38.4", // PyTorch reference row
		"built-in synthetic-motion",
		"GOEXPERIMENT=",
	} {
		assert.Contains(t, md, want)
	}
	assert.NotContains(t, md, "NaN")
	assert.Greater(t, r.Peak, 0.0)
	require.Len(t, r.Step, 1)
	s := r.Step[0]
	assert.Greater(t, s.Step.Median, 0.0)
	assert.Greater(t, s.Forward.Median, 0.0)
	assert.Greater(t, s.Data, 0.0)
	assert.Greater(t, s.Masks, 0.0)
	assert.Greater(t, s.FLOPs, 0.0)
	assert.Equal(t, 2, s.Batch)
	require.Len(t, r.Probes, 1)
	assert.Greater(t, r.Probes[0].Time.Median, 0.0)
	assert.Positive(t, r.Probes[0].Time.CoresBusy)
	assert.Positive(t, s.Step.CoresBusy)
	require.Len(t, r.Encoder, 2)
	assert.Positive(t, r.Encoder[0].CoresBusy())
	assert.Positive(t, PeakResult(r.MatMul).CoresBusy)
	assert.Contains(t, md, "cores busy")
	for _, m := range r.Memory {
		assert.Positive(t, m.HeapInuse, m.Name)
		assert.GreaterOrEqual(t, m.Sys, m.HeapSys, m.Name)
	}

	path := filepath.Join(t.TempDir(), "results", "benchmarks.md")
	require.NoError(t, r.WriteMarkdown(path))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, md, string(got))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestReportWithoutProbe(t *testing.T) {
	o := tinyOptions(t)
	o.Probes, o.Steps, o.Encoders = nil, nil, nil
	o.Video.Skip, o.Synthetic.Skip = true, true
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	md, err := r.Markdown()
	require.NoError(t, err)
	for _, s := range Sections() {
		assert.Contains(t, md, "\n"+s+"\n", "section %q", s)
	}
	assert.Contains(t, md, "not measured")
}

// TestRunWithExecution benchmarks the tiny cases with bfloat16 blocks and gradient
// checkpointing and records that in both reports.
func TestRunWithExecution(t *testing.T) {
	o := tinyOptions(t)
	o.Probes, o.Video.Skip, o.Synthetic.Skip = nil, true, true
	o.Exec = backbone.Execution{ComputeDType: dtypes.BFloat16, GradCheckpointing: true}
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, "bfloat16, gradient checkpointing", r.Exec)
	require.Len(t, r.Step, 1)
	assert.Greater(t, r.Step[0].Step.Median, 0.0)
	md, err := r.Markdown()
	require.NoError(t, err)
	assert.Contains(t, md, "Transformer blocks: bfloat16, gradient checkpointing")
	assert.Equal(t, r.Exec, r.JSON().Exec)
	for _, c := range r.JSON().Cases {
		assert.Equal(t, "bfloat16", c.Precision, c.Case)
		assert.Equal(t, AttentionFull, c.Attention, c.Case)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(*Options)
		want   string
	}{
		{"no backend", func(o *Options) { o.Backend = nil }, "no backend"},
		{"no matmul sizes", func(o *Options) { o.MatMulSizes = nil }, "matmul peak"},
		{"bad budget", func(o *Options) { o.Budget = Budget{MinIters: 3, MaxIters: 1} }, "iterations"},
		{"bad step batch", func(o *Options) { o.Steps[0].Batch = 0 }, "step case tiny"},
		{"bad synthetic", func(o *Options) { o.Synthetic.Batches = 0 }, "synthetic loader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t)
			tc.modify(&o)
			_, err := Run(context.Background(), o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDefaultOptions(t *testing.T) {
	backend := testutil.Backend(t)
	cfg, _, err := pretrain.LoadConfig(pretrain.DefaultConfigName)
	require.NoError(t, err)
	for _, quick := range []bool{false, true} {
		o, err := DefaultOptions(backend, quick)
		require.NoError(t, err)
		require.NoError(t, o.validate())
		names := make([]string, 0, len(o.Steps))
		for _, s := range o.Steps {
			names = append(names, s.Name)
		}
		assert.Len(t, o.Encoders, 3+len(officialEncoderSpecs))
		require.Len(t, o.Steps, 4, names)
		cpu := o.Steps[3]
		assert.True(t, strings.HasPrefix(cpu.Name, "cpu-default"), cpu.Name)
		assert.Equal(t, cfg.Data.BatchSize, cpu.Batch)
		assert.Equal(t, cfg.Data.CropSize, cpu.Config.CropSize)
		assert.Equal(t, cfg.Data.CropSize, o.Synthetic.Size)
		assert.Equal(t, cfg.Data.BatchSize, o.Synthetic.Batch)
		require.Len(t, o.Probes, 2)
		assert.Equal(t, cpu.Config.NumTokens(), o.Probes[0].Tokens)
		assert.False(t, o.Probes[0].OnRequest)
		assert.True(t, o.Probes[1].OnRequest)
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {123.4, "123"}, {12.34, "12.3"}, {1.234, "1.23"}, {0.1234, "0.123"}, {0.001234, "0.0012"},
	} {
		assert.Equal(t, tc.want, num(tc.v), "%g", tc.v)
	}
	assert.Equal(t, "50%", share(50, 100))
	assert.Equal(t, dash, share(50, 0))
	assert.Equal(t, "250 ms (25%)", phase(0.25, 1))
	ref, ok := LookupReference("step", "ViT-S 16×224", 4)
	require.True(t, ok)
	assert.Equal(t, 0.31, ref.ClipsPerSec)
	_, ok = LookupReference("step", "ViT-S 16×224", 2)
	assert.False(t, ok)
	assert.Equal(t, []string{"38.4", "98.0", "0.50×", "0.25×"}, refCells(Reference{ClipsPerSec: 38.4, GFLOPs: 98}, true, 19.2, 24.5, true))
	assert.Equal(t, []string{"38.4", "98.0", dash, dash}, refCells(Reference{ClipsPerSec: 38.4, GFLOPs: 98}, true, 0, 0, false))
}

// A loader-only run replaces the data loading section of an existing report and nothing
// else; the video rows give a per-core rate for each codec and decoder.
func TestMergeLoading(t *testing.T) {
	full, err := Run(context.Background(), tinyOptions(t))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	require.NoError(t, full.WriteMarkdown(path))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	o := tinyOptions(t)
	o.Video.Codecs = []string{"h264", "vp9"}
	o.Video.Workers = 0
	o = o.LoaderCases()
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.NoError(t, r.MergeLoading(path))
	after, err := os.ReadFile(path)
	require.NoError(t, err)

	split := func(s string) (head, loading, tail string) {
		i := strings.Index(s, "\n"+SectionLoading+"\n")
		j := strings.Index(s, "\n"+SectionMemory+"\n")
		require.True(t, i > 0 && j > i)
		return s[:i], s[i:j], s[j:]
	}
	h0, l0, t0 := split(string(before))
	h1, l1, t1 := split(string(after))
	assert.Equal(t, h0, h1)
	assert.Equal(t, t0, t1)
	assert.NotEqual(t, l0, l1)
	assert.Contains(t, l1, "Measured separately by `vjepa bench --quick --out x.md`")
	decoders, err := videoDecoders(nil)
	require.NoError(t, err)
	var rows int
	for _, l := range r.Loading {
		if l.Skipped == "" && l.Cores > 0 { // the video rows
			rows++
			assert.Positive(t, l.PerCore(), l.Name)
		}
	}
	assert.Equal(t, 2*len(decoders), rows)
	for _, want := range []string{"H.264 videos", "VP9 videos", "ffmpeg decoder", "clips/s per core"} {
		assert.Contains(t, l1, want)
	}
	assert.Error(t, r.MergeLoading(filepath.Join(t.TempDir(), "missing.md")))
}

// TestJSONReportsResolvedAttention: the rows' attention is what each case ran, as the
// execution resolved it on the backend at the case's shape (never "auto"), with the chunk
// size of chunked attention.
func TestJSONReportsResolvedAttention(t *testing.T) {
	for _, tc := range []struct {
		name      string
		exec      backbone.Execution
		attention string
		chunk     int
	}{
		{"auto small is full", backbone.Execution{}, AttentionFull, 0},
		{"chunked", backbone.Execution{Attention: backbone.AttentionChunked, AttentionChunk: 4}, AttentionChunked, 4},
		{"fused", backbone.Execution{Attention: backbone.AttentionFused}, AttentionFused, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t)
			o.Encoders = o.Encoders[:1]
			o.Video.Skip, o.Synthetic.Skip = true, true
			// A V-JEPA 2 probe: its self-attention over the 8 tokens is its largest attention.
			o.Probes[0].Model.Kind = probe.Attentive4
			o.Exec = tc.exec
			r, err := Run(context.Background(), o)
			require.NoError(t, err)
			cases := r.JSON().Cases
			require.Len(t, cases, 3, "encoder, step and probe rows")
			for _, c := range cases {
				assert.Equal(t, tc.attention, c.Attention, c.Case)
				assert.Equal(t, tc.chunk, c.AttentionChunk, c.Case)
				assert.Equal(t, "float32", c.Precision, c.Case)
			}
		})
	}
}

// TestEncoderAttentionPlan: a long clip under auto attention is reported chunked with the
// chunk that keeps one chunk's scores within backbone.AttentionBudget; XLA-free backends
// never report fused under auto.
func TestEncoderAttentionPlan(t *testing.T) {
	cases, err := OfficialEncoderCases()
	require.NoError(t, err)
	backend := testutil.Backend(t)
	for _, ec := range cases {
		if ec.Ref != "vjepa2_vitl-64x256" {
			continue
		}
		p := encoderAttention(backend, ec.Config, 1)
		assert.Equal(t, AttentionChunked, attentionName(p))
		assert.Equal(t, 512, p.Chunk, "8192 tokens, 16 heads: 512 queries per 256 MiB")
		return
	}
	t.Fatal("no vjepa2_vitl-64x256 case")
}
