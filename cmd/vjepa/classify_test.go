package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/internal/torchckpt"
	"github.com/vjepa-go/vjepa/probe"
)

// TestClassifyReproducesFixtures runs `vjepa classify` on the official probes of both
// generations and compares logits and pooled features with the references.
func TestClassifyReproducesFixtures(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	tests := []struct{ fixture, logits, pooled string }{
		{"probe_v1", "logits.npy", "pooled.npy"},
		{"probe_v2", "logits_0.npy", "pooled_0.npy"},
	}
	// Every attention mode computes the official probe (its self- and cross-attention).
	modes := [][]string{nil, {"--attention", "full", "--precision", "float32"}, {"--attention", "chunked", "--attention-chunk", "3"},
		{"--attention", "fused"}}
	for _, tt := range tests {
		for _, mode := range modes {
			t.Run(tt.fixture+" "+strings.Join(mode, " "), func(t *testing.T) {
				dir := filepath.Join(root, tt.fixture)
				out, pooled := filepath.Join(t.TempDir(), "logits.npy"), filepath.Join(t.TempDir(), "pooled.npy")
				args := append([]string{"classify", "--config", filepath.Join(dir, "config.yaml"),
					"--probe-checkpoint", filepath.Join(dir, "checkpoint.pt"), "--features", filepath.Join(dir, "input_tokens.npy"),
					"--head", "0", "--out", out, "--pooled", pooled}, mode...)
				code, stderr := runCLI(t, args...)
				require.Equal(t, 0, code, stderr)
				require.Empty(t, stderr)
				requireClose(t, filepath.Join(dir, tt.logits), out, 1e-5)
				requireClose(t, filepath.Join(dir, tt.pooled), pooled, 1e-5)
			})
		}
	}
}

// TestClassifyBadInput checks that every bad input ends in a one-line error naming the
// file and the problem.
func TestClassifyBadInput(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	v1, v2 := filepath.Join(root, "probe_v1"), filepath.Join(root, "probe_v2")
	dir := t.TempDir()
	wrongD := writeNPY(t, dir, "d64.npy", npy.NewFloat32([]int{2, 8, 64}, make([]float32, 2*8*64)))
	rank2 := writeNPY(t, dir, "rank2.npy", npy.NewFloat32([]int{2, 96}, make([]float32, 2*96)))
	f64 := writeNPY(t, dir, "f64.npy", npy.NewFloat64([]int{2, 8, 96}, make([]float64, 2*8*96)))
	garbage := testutil.WriteFile(t, "garbage.pt", "not a checkpoint")
	missingKey := writeProbeWithout(t, filepath.Join(dir, "missing.pt"), v1, "module.linear.bias")
	noProbe := filepath.Join(dir, "noprobe.pt")
	top := torchckpt.NewDict()
	top.Set("epoch", int64(3))
	require.NoError(t, torchckpt.Write(noProbe, top))
	badCfg := testutil.WriteFile(t, "bad.yaml", "eval_name: video_classification_frozen\nexperiment:\n  classifier: {num_heads: 4, num_probe_blocks: 0}\n  data: {num_classes: 5}\n  optimization: {multihead_kwargs: [{lr: 0.1}]}\nmodel_kwargs:\n  pretrain_kwargs:\n    encoder: {model_name: custom, embed_dim: 96}\n")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"wrong width", []string{"--features", wrongD}, []string{"d64.npy", "D=64", "expects 96"}},
		{"rank 2 tokens", []string{"--features", rank2}, []string{"rank2.npy", "[B,N,D]"}},
		{"float64 tokens", []string{"--features", f64}, []string{"f64.npy", "float32"}},
		{"missing tokens", []string{"--features", filepath.Join(dir, "nope.npy")}, []string{"nope.npy"}},
		{"head out of range", []string{"--head", "1"}, []string{"--head 1", "checkpoint.pt", "1 probe head"}},
		{"negative head", []string{"--head", "-1"}, []string{"--head -1", "out of range"}},
		{"corrupt checkpoint", []string{"--probe-checkpoint", garbage}, []string{"garbage.pt"}},
		{"missing key", []string{"--probe-checkpoint", missingKey}, []string{"missing.pt", "linear.bias"}},
		{"no probe in checkpoint", []string{"--probe-checkpoint", noProbe}, []string{"noprobe.pt", "classifier"}},
		{"V-JEPA 2 checkpoint, V-JEPA config", []string{"--probe-checkpoint", filepath.Join(v2, "checkpoint.pt")}, []string{"checkpoint.pt", "classifiers[0] holds a probe of depth 4", "describes depth 1"}},
		{"V-JEPA checkpoint, V-JEPA 2 config", []string{"--config", filepath.Join(v2, "config.yaml")}, []string{"checkpoint.pt", "classifier holds a probe of depth 1", "describes depth 4"}},
		{"bad probe depth", []string{"--config", badCfg}, []string{"bad.yaml", "num_probe_blocks must be positive"}},
		{"unknown preset", []string{"--config", "vjepa2_vitq_ssv2"}, []string{"vjepa2_vitq_ssv2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := map[string]string{"--config": filepath.Join(v1, "config.yaml"), "--probe-checkpoint": filepath.Join(v1, "checkpoint.pt"),
				"--features": filepath.Join(v1, "input_tokens.npy"), "--out": filepath.Join(dir, "o.npy")}
			code, stderr := runCLI(t, withFlags("classify", base, tc.args)...)
			requireCLIError(t, code, stderr, tc.want...)
		})
	}
}

// writeProbeWithout writes the fixture's probe as an official V-JEPA probe checkpoint
// ("classifier") without the named tensor.
func writeProbeWithout(t *testing.T, path, fixtureDir, drop string) string {
	t.Helper()
	cfg, _, err := officialcfg.LoadEval(filepath.Join(fixtureDir, "config.yaml"))
	require.NoError(t, err)
	m, err := probe.ModelFromEvalConfig(cfg)
	require.NoError(t, err)
	ck, err := probe.LoadCheckpoint(filepath.Join(fixtureDir, "checkpoint.pt"), m)
	require.NoError(t, err)
	sd := torchckpt.NewOrderedDict()
	for _, s := range m.Specs() {
		if name := "module." + s.Name; name != drop {
			sd.Set(name, npy.NewFloat32(s.Shape, ck.Heads[0][s.Name]))
		}
	}
	top := torchckpt.NewDict()
	top.Set("classifier", sd)
	require.NoError(t, torchckpt.Write(path, top))
	return path
}
