package probe_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
	"github.com/vjepa-go/vjepa/results"
)

// TestExperimentSeeds runs two seeds of an attentive probe and the k-NN (all labels and one
// per class) on a pretrained and a random-init backbone: every record carries both seeds, their
// mean ± std, and the pretrained ones the paired difference to random init.
func TestExperimentSeeds(t *testing.T) {
	backend, ckpt := tinyCheckpoint(t)

	e := tinyExperiment(t, ckpt)
	e.Probes, e.Sweep, e.Epochs = []probe.Kind{probe.Attentive, probe.KNN}, e.Sweep[:1], 1
	e.Seed, e.Seeds, e.KNNLabelsPerClass, e.Trainer = 3, 2, []int{1}, "vjepa-go"
	e.Cache = probe.FeatureCache{Dir: filepath.Join(t.TempDir(), "cache")}
	recs, err := e.Run(context.Background(), backend)
	require.NoError(t, err)
	require.Len(t, recs, 6, "2 inits × (attentive, knn, knn-1shot)")

	byLabel := map[string]*probe.Record{}
	for _, r := range recs {
		byLabel[r.Backbone.Init+"/"+r.Probe.Label()] = r
		require.Len(t, r.Seeds, 2)
		assert.Equal(t, []uint64{3, 4}, []uint64{r.Seeds[0].Seed, r.Seeds[1].Seed})
		require.NotNil(t, r.SeedStats)
		assert.Equal(t, 2, r.SeedStats.N)
		assert.InDelta(t, (r.Seeds[0].Top1+r.Seeds[1].Top1)/2, r.Top1, 1e-9, "top1 is the mean over seeds")
		assert.InDelta(t, r.Top1, r.SeedStats.Top1Mean, 1e-9)
		s := r.Top1Summary()
		assert.InDelta(t, s.Std, r.SeedStats.Top1Std, 1e-9)
	}
	require.Contains(t, byLabel, "pretrained/knn-1shot")
	assert.Equal(t, 8, byLabel["pretrained/knn-1shot"].NumTrain, "one labelled clip per class")
	assert.Equal(t, 20, byLabel["pretrained/knn"].Probe.KNN.K)
	assert.Equal(t, "vjepa-go", byLabel["pretrained/attentive"].Backbone.Trainer)
	assert.Empty(t, byLabel["random/attentive"].Backbone.Trainer)
	for _, label := range []string{"attentive", "knn", "knn-1shot"} {
		pre, rnd := byLabel["pretrained/"+label], byLabel["random/"+label]
		d := pre.VsRandom
		require.NotNil(t, d, label)
		assert.Nil(t, rnd.VsRandom)
		assert.Equal(t, rnd.ID, d.Against)
		assert.Equal(t, "paired t-test", d.Test)
		assert.Equal(t, 2, d.N)
		for i := range 2 {
			assert.InDelta(t, pre.Seeds[i].Top1-rnd.Seeds[i].Top1, d.Diffs[i], 1e-9)
		}
		require.NotNil(t, d.Low)
		assert.LessOrEqual(t, *d.Low, d.Mean)
		assert.GreaterOrEqual(t, *d.High, d.Mean)
	}
	// One probe checkpoint per seed.
	for _, s := range byLabel["pretrained/attentive"].Seeds {
		assert.FileExists(t, s.Checkpoint)
	}
	// The built-in set draws new clips per seed: 2 seeds × 2 backbones × 2 splits in the cache.
	metas, err := filepath.Glob(filepath.Join(e.Cache.Dir, "*", "plan.json"))
	require.NoError(t, err)
	assert.Len(t, metas, 8)

	runs, err := results.LoadRuns(e.RecordsDir)
	require.NoError(t, err)
	require.Len(t, runs, 6)

	// The k-NN is deterministic: a second run (from the cache) gives the same numbers.
	e2 := tinyExperiment(t, ckpt)
	e2.Probes, e2.Seed, e2.Seeds, e2.KNNLabelsPerClass, e2.Cache = []probe.Kind{probe.KNN}, 3, 2, []int{1}, e.Cache
	again, err := e2.Run(context.Background(), backend)
	require.NoError(t, err)
	for _, r := range again {
		assert.Equal(t, byLabel[r.Backbone.Init+"/"+r.Probe.Label()].Seeds, r.Seeds)
	}
}

func TestExperimentSeedsRejects(t *testing.T) {
	backend := testutil.Backend(t)
	e := tinyExperiment(t, "")
	e.Seeds, e.EvalOnly = 2, filepath.Join(t.TempDir(), "p.pth.tar")
	_, err := e.Run(context.Background(), backend)
	require.ErrorContains(t, err, "takes one seed, not 2")

	e = tinyExperiment(t, "")
	e.Probes, e.Data.Augment = []probe.Kind{probe.KNN}, true
	_, err = e.Run(context.Background(), backend)
	require.ErrorContains(t, err, "cannot run with training augmentation")
	_, err = os.Stat(e.RecordsDir)
	require.True(t, os.IsNotExist(err), "no record written")
}
