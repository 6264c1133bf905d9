package torchckpt

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// torchScript loads a checkpoint written by this package, checks it, and
// re-saves it with torch.save.
const torchScript = `
import sys, torch
d = torch.load(sys.argv[1])
assert type(d) is dict, type(d)
assert list(d) == ['encoder', 'predictor', 'opt', 'scaler', 'target_encoder', 'epoch', 'loss', 'batch_size', 'world_size', 'lr', 'ints', 'name'], list(d)
enc = d['encoder']
assert type(enc).__name__ == 'OrderedDict', type(enc)
w = enc['module.backbone.blocks.0.attn.qkv.weight']
assert w.dtype == torch.float32 and tuple(w.shape) == (9, 3), w
assert torch.equal(w.flatten(), -torch.arange(27, dtype=torch.float32))
assert torch.equal(d['target_encoder']['module.backbone.pos_embed'].flatten(), 3 * torch.arange(12, dtype=torch.float32))
st = d['opt']['state'][2]
assert st['step'].shape == () and st['step'].item() == 7
assert torch.equal(st['exp_avg_sq'].flatten(), 0.25 * torch.arange(27, dtype=torch.float32))
g = d['opt']['param_groups']
assert g[0]['params'] == [0, 1, 2] and g[1]['params'] == [3, 300, 70000], g
assert g[0]['betas'] == (0.9, 0.999) and g[0]['foreach'] is None and g[0]['amsgrad'] is False
assert d['scaler'] is None and d['epoch'] == 12 and d['batch_size'] == 1 << 40 and d['world_size'] == -3
assert d['lr'] == 0.25 and d['name'] == 'vit_tiny \u2713'
assert d['ints'].dtype == torch.int64 and d['ints'].tolist() == [-1, 1 << 50]
# A real AdamW must accept the optimizer state.
p = [torch.nn.Parameter(torch.zeros(9, 3)) for _ in range(3)]
opt = torch.optim.AdamW(p)
sd = d['opt']
opt.load_state_dict({'state': sd['state'], 'param_groups': [sd['param_groups'][0]]})
# Re-save a transposed (non-contiguous) view for the Go reader.
d['encoder']['transposed'] = w.t()
torch.save(d, sys.argv[2])
print('ok')
`

// findTorch returns a python3 that can import torch, or skips the test.
func findTorch(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skip("python3 cannot import torch")
	}
	return py
}

// TestTorchLoadsWrittenFile runs only where PyTorch is installed.
func TestTorchLoadsWrittenFile(t *testing.T) {
	py := findTorch(t)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "go.pth"), filepath.Join(dir, "torch.pth")
	require.NoError(t, Write(src, trainingCheckpoint()))
	out, err := exec.Command(py, "-c", torchScript, src, dst).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.True(t, strings.HasSuffix(strings.TrimSpace(string(out)), "ok"), string(out))

	f, err := Open(dst)
	require.NoError(t, err)
	defer f.Close()
	sd, err := f.StateDict("encoder")
	require.NoError(t, err)
	data, shape, err := sd.Read("transposed")
	require.NoError(t, err)
	assert.Equal(t, []int{3, 9}, shape)
	for i := 0; i < 3; i++ {
		for j := 0; j < 9; j++ {
			assert.Equal(t, -float32(j*3+i), data[i*9+j])
		}
	}
	opt, err := f.Optimizer("opt")
	require.NoError(t, err)
	assert.Equal(t, 7.0, opt.Params[1].Step)
}
