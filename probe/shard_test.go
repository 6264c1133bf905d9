package probe_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// partFiles maps the part files under the cache folder dir to their modification times.
func partFiles(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "part-*.npz"))
	require.NoError(t, err)
	out := map[string]time.Time{}
	for _, p := range paths {
		st, err := os.Stat(p)
		require.NoError(t, err)
		out[p] = st.ModTime()
	}
	return out
}

// TestShardResumes deletes one part of a finished shard and leaves a torn temporary file, as
// a shard killed while writing that part leaves its cache: the rerun encodes that part only,
// to the same bytes.
func TestShardResumes(t *testing.T) {
	backend := testutil.Backend(t)
	cache := t.TempDir()
	extract := func(shard probe.Shard) {
		e := tinyExperiment(t, "")
		e.Probes = []probe.Kind{probe.KNN}
		e.Cache = probe.FeatureCache{Dir: cache}
		e.Extraction = probe.Extraction{Only: true, Shard: shard}
		recs, err := e.Run(context.Background(), backend)
		require.NoError(t, err)
		require.Empty(t, recs, "extract-only trains no probe")
	}
	extract(probe.Shard{Index: 0, Count: 2})
	first := partFiles(t, cache)
	extract(probe.Shard{Index: 1, Count: 2})
	all := partFiles(t, cache)
	require.Len(t, all, 3+1, "48 train and 16 val clips in batches of 16")
	require.Len(t, first, 1, "shard 0/2 holds part 0 of the 3 train parts; the one val part is shard 1/2's")

	var victim string
	for p := range all {
		if _, ok := first[p]; !ok {
			victim = p
		}
	}
	want, err := os.ReadFile(victim)
	require.NoError(t, err)
	require.NoError(t, os.Remove(victim))
	// What a kill during the write leaves: a temporary file, never a part.
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(victim), "."+filepath.Base(victim)+".tmp123"), []byte("torn"), 0o644))
	time.Sleep(10 * time.Millisecond) // a later modification time for what is rewritten
	extract(probe.Shard{Index: 1, Count: 2})
	after := partFiles(t, cache)
	for p, mt := range all {
		if p == victim {
			require.True(t, after[p].After(mt), "the missing part is encoded again")
			continue
		}
		require.Equal(t, mt, after[p], "%s was encoded again", p)
	}
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// writeImageFolder writes a two-class ImageFolder with n images per class and split: bright
// squares for one class, dark ones for the other, at random-looking offsets.
func writeImageFolder(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, split := range []string{"train", "val"} {
		for c, name := range []string{"0-dark", "1-bright"} {
			dir := filepath.Join(root, split, name)
			require.NoError(t, os.MkdirAll(dir, 0o755))
			for i := range n {
				img := image.NewGray(image.Rect(0, 0, 28, 28))
				off := (i*7 + c*3) % 14
				for y := off; y < off+12; y++ {
					for x := 14 - off; x < 26-off; x++ {
						img.SetGray(x, y, color.Gray{Y: uint8(60 + 180*c)})
					}
				}
				f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.png", i)))
				require.NoError(t, err)
				require.NoError(t, png.Encode(f, img))
				require.NoError(t, f.Close())
			}
		}
	}
	return root
}

// bankExperiment is a tiny augmented image probe trained on a feature bank of passes passes.
func bankExperiment(t *testing.T, root, cache string, passes int) *probe.Experiment {
	e := tinyExperiment(t, "")
	e.Dataset = "toy-images"
	e.Data = probe.DataSpec{Train: root, Val: root, NumClasses: 2, Augment: true,
		Protocol: probe.Protocol{Image: true, FramesPerClip: 4, FrameStep: 1, NumSegments: 1, NumViews: 1, Resolution: 32}}
	e.Probes = []probe.Kind{probe.Attentive}
	e.Epochs, e.BatchSize, e.Seeds = 3, 8, 1
	e.Cache = probe.FeatureCache{Dir: cache}
	e.Extraction = probe.Extraction{FeaturePasses: passes}
	return e
}

// TestFeatureBankSharded trains a probe on a 2-pass feature bank extracted whole, and on one
// extracted by two shards: same accuracy, and the record says how many passes it used.
func TestFeatureBankSharded(t *testing.T) {
	backend := testutil.Backend(t)
	root := writeImageFolder(t, 12)
	ctx := context.Background()

	whole := bankExperiment(t, root, t.TempDir(), 2)
	recs, err := whole.Run(ctx, backend)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, 2, recs[0].Probe.FeaturePasses)
	require.True(t, recs[0].Probe.TrainAugmentation)

	cache := t.TempDir()
	for i := range 2 {
		e := bankExperiment(t, root, cache, 2)
		e.Extraction.Only, e.Extraction.Shard = true, probe.Shard{Index: i, Count: 2}
		_, err := e.Run(ctx, backend)
		require.NoError(t, err)
	}
	require.Len(t, partFiles(t, cache), 3+3+3, "val and two passes of 24 clips in batches of 8")
	before := partFiles(t, cache)
	sharded, err := bankExperiment(t, root, cache, 2).Run(ctx, backend)
	require.NoError(t, err)
	require.Equal(t, before, partFiles(t, cache), "training on the bank rewrote it")
	require.Equal(t, recs[0].Top1, sharded[0].Top1)
	require.Equal(t, recs[0].Heads[0].Curve, sharded[0].Heads[0].Curve)
}

// TestShardsAdoptTheFirstBatch extracts shard 0/2 in batches of 16 and shard 1/2 asking for
// batches of 8 (as a device with less memory would plan): the second shard keeps the first
// one's parts, and the probes (in batches of 4) match a whole extraction in batches of 16.
func TestShardsAdoptTheFirstBatch(t *testing.T) {
	backend := testutil.Backend(t)
	ctx := context.Background()
	knn := func(cache string, batch int, x probe.Extraction) []*probe.Record {
		e := tinyExperiment(t, "")
		e.Probes = []probe.Kind{probe.KNN}
		e.Cache, e.BatchSize, e.Extraction = probe.FeatureCache{Dir: cache}, batch, x
		recs, err := e.Run(ctx, backend)
		require.NoError(t, err)
		return recs
	}
	want := knn(t.TempDir(), 16, probe.Extraction{})
	cache := t.TempDir()
	knn(cache, 16, probe.Extraction{Only: true, Shard: probe.Shard{Index: 0, Count: 2}})
	knn(cache, 8, probe.Extraction{Only: true, Shard: probe.Shard{Index: 1, Count: 2}})
	require.Len(t, partFiles(t, cache), 3+1, "48 train and 16 val clips in parts of 16")
	got := knn(cache, 4, probe.Extraction{})
	require.Equal(t, want[0].Top1, got[0].Top1)
	require.Equal(t, want[0].Top5, got[0].Top5)
}
