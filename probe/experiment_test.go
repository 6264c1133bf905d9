package probe_test

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
	"github.com/vjepa-go/vjepa/probe"
	"github.com/vjepa-go/vjepa/results"
)

func tinyModel() backbone.Config {
	c, _ := backbone.Preset("vit_tiny")
	c.Name, c.EmbedDim, c.Depth, c.NumHeads = "custom", 32, 1, 2
	c.NumFrames, c.CropSize, c.PatchSize = 4, 32, 8
	c.PredEmbedDim, c.PredDepth = 16, 1
	return c
}

// tinyCheckpoint returns the Go backend and a checkpoint of a fresh tinyModel (seed 3) in a
// temporary folder.
func tinyCheckpoint(t *testing.T) (compute.Backend, string) {
	t.Helper()
	backend := testutil.Backend(t)
	st, err := pretrain.InitState(tinyModel(), 3)
	require.NoError(t, err)
	ckpt := filepath.Join(t.TempDir(), "ckpt.pth.tar")
	require.NoError(t, pretrain.SaveCheckpoint(ckpt, tinyModel(), st, pretrain.RunPosition{}, pretrain.HParams{}))
	return backend, ckpt
}

func tinyExperiment(t *testing.T, ckpt string) *probe.Experiment {
	return &probe.Experiment{
		Dataset: "synthetic-motion", Model: tinyModel(), Checkpoint: ckpt, CompareRandom: ckpt != "",
		Data: probe.DataSpec{Train: "synthetic-motion", Val: "synthetic-motion", NumClasses: 8,
			Protocol:       probe.Protocol{FramesPerClip: 4, FrameStep: 4, NumSegments: 1, NumViews: 1, Resolution: 32},
			SyntheticTrain: 48, SyntheticVal: 16},
		Probes: []probe.Kind{probe.Attentive, probe.AvgPoolLinear},
		Training: probe.Training{Sweep: []probe.HeadConfig{{LR: 1e-3, StartLR: 1e-3, WeightDecay: 0.01, FinalWD: 1e-6},
			{LR: 3e-3, StartLR: 3e-3, WeightDecay: 0.01, FinalWD: 1e-6}},
			Epochs: 2, BatchSize: 16, ClipGrad: 1},
		OutDir:     filepath.Join(t.TempDir(), "probe"),
		RecordsDir: filepath.Join(t.TempDir(), "runs"), Workers: 2, Progress: io.Discard,
	}
}

// TestExperimentWritesValidRecords runs the whole frozen evaluation on a tiny checkpoint:
// pretrained and random-init backbones, attentive and avgpool probes; the records pass the
// results generator's validation.
func TestExperimentWritesValidRecords(t *testing.T) {
	backend, ckpt := tinyCheckpoint(t)

	e := tinyExperiment(t, ckpt)
	e.Seed = 3
	recs, err := e.Run(context.Background(), backend)
	require.NoError(t, err)
	require.Len(t, recs, 4)
	kinds := map[string]bool{}
	for _, r := range recs {
		kinds[r.Backbone.Init+"/"+r.Probe.Type] = true
		require.Len(t, r.Heads, 2)
		require.Len(t, r.Heads[0].Curve, 2)
		require.Len(t, r.Confusion, 8)
		require.GreaterOrEqual(t, r.Top5, r.Top1)
		require.Equal(t, e.Seed, r.Probe.Seed)
	}
	require.Len(t, kinds, 4)
	runs, err := results.LoadRuns(e.RecordsDir)
	require.NoError(t, err)
	require.Len(t, runs, 4)

	// Eval-only reproduces the trained probe's accuracy from its checkpoint.
	e2 := tinyExperiment(t, ckpt)
	e2.CompareRandom, e2.Probes = false, []probe.Kind{probe.Attentive}
	e2.EvalOnly, e2.Seed = recs[0].Probe.Checkpoint, e.Seed // the seed draws the built-in clips
	again, err := e2.Run(context.Background(), backend)
	require.NoError(t, err)
	require.Equal(t, recs[0].Heads[0].Top1, again[0].Heads[0].Top1)
}

// TestBackboneStaysFrozen checks that training probes leaves the encoder's output unchanged.
func TestBackboneStaysFrozen(t *testing.T) {
	backend := testutil.Backend(t)
	c := tinyModel()
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	before := params.Clone()
	enc, err := probe.NewEncoder(backend, c, params)
	require.NoError(t, err)
	ds := probe.DataSpec{Train: "synthetic-motion", Val: "synthetic-motion", NumClasses: 8, SyntheticTrain: 16, SyntheticVal: 16,
		Protocol: probe.Protocol{FramesPerClip: 4, NumSegments: 1, NumViews: 1, Resolution: 32}}
	val, err := probe.OpenEval("synthetic-motion", "val", ds.Protocol, 8)
	require.NoError(t, err)
	f1, err := probe.Extract(context.Background(), enc, val, 8, 1, 0, nil, "val")
	require.NoError(t, err)
	_, err = probe.TrainAndEvaluate(context.Background(), backend, f1, f1, probe.TrainOptions{
		Model:    probe.Model{Kind: probe.Attentive, EmbedDim: 32, NumHeads: 2, NumClasses: 8},
		Training: probe.Training{Sweep: []probe.HeadConfig{{LR: 1e-2, StartLR: 1e-2, WeightDecay: 0.01}}, Epochs: 3, BatchSize: 8}})
	require.NoError(t, err)
	f2, err := probe.Extract(context.Background(), enc, val, 8, 1, 0, nil, "val")
	require.NoError(t, err)
	require.Equal(t, f1.Data, f2.Data, "frozen features changed")
	require.Equal(t, before, params, "backbone parameters changed")
}

// TestProbeResume: a probe trained 1 epoch, stopped and resumed for the 2nd, ends equal to
// one trained 2 epochs straight.
func TestProbeResume(t *testing.T) {
	backend := testutil.Backend(t)
	c := tinyModel()
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	enc, err := probe.NewEncoder(backend, c, params)
	require.NoError(t, err)
	p := probe.Protocol{FramesPerClip: 4, NumSegments: 1, NumViews: 1, Resolution: 32}
	ds, err := probe.OpenEval("synthetic-motion", "val", p, 8)
	require.NoError(t, err)
	fs, err := probe.Extract(context.Background(), enc, ds, 8, 1, 0, nil, "val")
	require.NoError(t, err)
	opts := func(ckpt string, stopAfter int, resume bool) probe.TrainOptions {
		return probe.TrainOptions{Model: probe.Model{Kind: probe.Attentive, EmbedDim: 32, NumHeads: 2, NumClasses: 8},
			Training: probe.Training{Sweep: []probe.HeadConfig{{LR: 1e-3, StartLR: 1e-3, WeightDecay: 0.01, FinalWD: 1e-6}},
				Epochs: 2, BatchSize: 7},
			StopAfter: stopAfter, Seed: 5, CheckpointPath: ckpt, Resume: resume}
	}
	straight, err := probe.TrainAndEvaluate(context.Background(), backend, fs, fs, opts(filepath.Join(t.TempDir(), "a.pth.tar"), 0, false))
	require.NoError(t, err)
	ck := filepath.Join(t.TempDir(), "b.pth.tar")
	_, err = probe.TrainAndEvaluate(context.Background(), backend, fs, fs, opts(ck, 1, false))
	require.NoError(t, err)
	resumed, err := probe.TrainAndEvaluate(context.Background(), backend, fs, fs, opts(ck, 0, true))
	require.NoError(t, err)
	require.Equal(t, straight.Params, resumed.Params)
	require.Equal(t, straight.Heads, resumed.Heads)
}
