package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReferenceKitSmoke runs the project's reference kit (benchmarks/reference) for real on
// tiny cases: torch's sgemm, the official encoder forward and (without -short) the official
// pretraining step of cpu-default. It needs python3 with torch and the official code in
// $JEPA_SRC, and says which is missing when it skips.
func TestReferenceKitSmoke(t *testing.T) {
	if os.Getenv("JEPA_SRC") == "" {
		t.Skip("JEPA_SRC is not set: export facebookresearch/jepa and point JEPA_SRC at it to run the reference kit " +
			"(benchmarks/reference/README.md, \"Setup\")")
	}
	kit := ReferenceKit{Dir: filepath.Join("..", DefaultReferenceDir)}
	ctx := context.Background()
	python, err := kit.resolvePython(ctx)
	if err != nil {
		t.Skipf("the reference kit cannot run here: %v", err)
	}
	t.Logf("interpreter %s, JEPA_SRC=%s", python, os.Getenv("JEPA_SRC"))

	sgemm, _, err := kit.run(ctx, python, refCase{kind: KindSGEMM, config: "sgemm-64", batch: 1, repeats: 2}, false)
	require.NoError(t, err)
	require.Empty(t, sgemm.Error)
	assert.Equal(t, "sgemm", sgemm.Mode)
	assert.Positive(t, sgemm.GFLOPs)
	assert.Positive(t, sgemm.CoresBusy)

	cpu, err := CPUDefaultStepCase()
	require.NoError(t, err)
	fwd, env, err := kit.run(ctx, python, refCase{kind: KindEncoderForward, config: cpu.Ref, batch: 1, repeats: 2}, false)
	require.NoError(t, err)
	require.Empty(t, fwd.Error)
	assert.Equal(t, 1, fwd.Batch)
	assert.Positive(t, fwd.ClipsPerSec)
	c := cpu.Config
	assert.InDelta(t, EncoderForwardFLOPs(c, c.NumTokens())/1e9, fwd.GFLOP, 1e-3, "the kit counts FLOPs as we do")
	assert.NotEmpty(t, env.Torch)

	if testing.Short() {
		t.Log("-short: the official pretraining step is not run")
		return
	}
	b, err := StepBatch(c, cpu.Masks, 2)
	require.NoError(t, err)
	kc, kp := maskLengths(b)
	step, _, err := kit.run(ctx, python, refCase{kind: KindPretrainStep, config: cpu.Ref, batch: 2, predDepth: c.PredDepth,
		pred: c.PredEmbedDim, kc: kc, kp: kp}, true)
	require.NoError(t, err)
	require.Empty(t, step.Error)
	assert.Equal(t, 2, step.Batch)
	assert.Positive(t, step.ClipsPerSec)
	assert.InDelta(t, PretrainStepFLOPs(c, b)/1e9, step.GFLOP, 0.05*step.GFLOP, "the same work, within the mask draws' token counts")
}
