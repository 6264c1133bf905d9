package torchckpt

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

var modelKeys = []string{"encoder", "predictor", "target_encoder"}

func TestFixtureStateDicts(t *testing.T) {
	root := testutil.FixturesDir(t)
	// Only small_both keeps the numpy copy of its checkpoint (the other copies were trimmed
	// from testdata: the parity tests read the .pth files themselves).
	for _, set := range []string{"small_both"} {
		for _, pair := range [][2]string{{"checkpoint.pth", "checkpoint_tensors.npz"}} {
			t.Run(set+"/"+pair[0], func(t *testing.T) {
				dir := filepath.Join(root, set)
				want, err := npy.ReadNPZ(filepath.Join(dir, pair[1]))
				require.NoError(t, err)
				f, err := Open(filepath.Join(dir, pair[0]))
				require.NoError(t, err)
				defer f.Close()
				seen := 0
				for _, top := range modelKeys {
					sd, err := f.StateDict(top)
					require.NoError(t, err)
					require.NotZero(t, sd.Len())
					assert.True(t, strings.HasPrefix(sd.Names()[0], "module.backbone."))
					for _, name := range sd.Names() {
						w := want[top+"/"+name]
						require.NotNil(t, w, "npz lacks %s/%s", top, name)
						shape, dtype, ok := sd.Info(name)
						require.True(t, ok)
						assert.Equal(t, "float32", dtype)
						assert.Equal(t, w.Shape, shape, name)
						data, gotShape, err := sd.Read(name)
						require.NoError(t, err, name)
						assert.Equal(t, w.Shape, gotShape)
						require.True(t, slices.Equal(w.F32, data), "%s/%s differs", top, name)
						seen++
					}
				}
				assert.Equal(t, len(want), seen, "every npz tensor is in the checkpoint")
			})
		}
	}
}

func TestFixtureScalars(t *testing.T) {
	f, err := Open(filepath.Join(testutil.FixturesDir(t), "small_both", "checkpoint.pth"))
	require.NoError(t, err)
	defer f.Close()
	top, ok := f.Top().(*OrderedDict)
	require.True(t, ok)
	assert.Equal(t, []string{"encoder", "predictor", "opt", "scaler", "target_encoder", "epoch", "loss", "batch_size", "world_size", "lr"}, top.StringKeys())
	for _, tt := range []struct {
		key  string
		want float64
	}{{"epoch", 0}, {"loss", 0.8209730386734009}, {"batch_size", 2}, {"world_size", 1}, {"lr", 0.000625}} {
		v, err := f.Scalar(tt.key)
		require.NoError(t, err, tt.key)
		assert.Equal(t, tt.want, v, tt.key)
	}
	n, err := f.Int("batch_size")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	s, err := f.Lookup("scaler")
	require.NoError(t, err)
	assert.Nil(t, s)
	_, err = f.Int("lr")
	assert.Error(t, err)
	_, err = f.Scalar("nope")
	assert.ErrorContains(t, err, "not found")
	_, err = f.StateDict("epoch")
	assert.ErrorContains(t, err, "not a state dict")
}

func TestFixtureOptimizer(t *testing.T) {
	dir := filepath.Join(testutil.FixturesDir(t), "small_both")
	grads, err := npy.ReadNPZ(filepath.Join(dir, "grads.npz"))
	require.NoError(t, err)
	f, err := Open(filepath.Join(dir, "checkpoint_step1.pth"))
	require.NoError(t, err)
	defer f.Close()
	opt, err := f.Optimizer("opt")
	require.NoError(t, err)

	require.Len(t, opt.Groups, 4)
	next := 0
	for i, n := range []int{10, 13, 19, 20} {
		g := opt.Groups[i]
		require.Len(t, g.Params, n)
		for _, p := range g.Params {
			assert.Equal(t, next, p, "params are numbered consecutively")
			next++
		}
		lr, ok := g.Float("lr")
		assert.True(t, ok)
		assert.Equal(t, 0.00020003541666666668, lr)
		wd, _ := g.Float("weight_decay")
		assert.Equal(t, map[bool]float64{true: 0.04000000007018384, false: 0}[i < 2], wd)
		betas, _ := g.Options.Get("betas")
		assert.Equal(t, Tuple{0.9, 0.999}, betas)
	}
	// 62 parameters, of which the two frozen pos-embeds have no state.
	assert.Len(t, opt.Indices, 60)
	assert.Equal(t, 1, opt.Indices[0])

	// After one step from zero state, exp_avg = 0.1·g and exp_avg_sq = 0.001·g².
	for _, idx := range opt.Indices {
		ps := opt.Params[idx]
		assert.Equal(t, 1.0, ps.Step)
		m, v := ps.Tensors["exp_avg"], ps.Tensors["exp_avg_sq"]
		require.NotNil(t, m)
		require.NotNil(t, v)
		assert.Equal(t, m.Shape, v.Shape)
		md, err := f.ReadFloat32(m)
		require.NoError(t, err)
		vd, err := f.ReadFloat32(v)
		require.NoError(t, err)
		matched := false
		for _, g := range grads {
			if !slices.Equal(g.Shape, m.Shape) || !close(md, g.F32, 0.1, 1) {
				continue
			}
			matched = close(vd, g.F32, 0.001, 2)
			if matched {
				break
			}
		}
		assert.True(t, matched, "param %d: exp_avg/exp_avg_sq match no gradient", idx)
	}
	v, err := f.Scalar("opt/state/1/step")
	require.NoError(t, err)
	assert.Equal(t, 1.0, v)
	wd, err := f.Scalar("opt/param_groups[2]/weight_decay")
	require.NoError(t, err)
	assert.Zero(t, wd)
}

// close reports whether got ≈ scale·want^pow elementwise.
func close(got, want []float32, scale float64, pow int) bool {
	for i := range got {
		w := scale * math.Pow(float64(want[i]), float64(pow))
		if math.Abs(float64(got[i])-w) > 1e-6*math.Abs(w)+1e-12 {
			return false
		}
	}
	return true
}
