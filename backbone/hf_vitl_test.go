package backbone_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
)

// writeViTLEnv names the folder TestWriteRandomViTLHF writes; the test is skipped without it.
const writeViTLEnv = "VJEPA_WRITE_VITL_HF"

// TestWriteRandomViTLHF writes a Hugging Face folder with the facebook/vjepa2-vitl-fpc64-256
// architecture (VJEPA2Config's defaults) and freshly initialised weights (1.3 GB), for memory
// measurements of `vjepa encode` at the official clip size (docs/performance.md):
//
//	VJEPA_WRITE_VITL_HF=/tmp/vitl-hf go test ./backbone/ -run TestWriteRandomViTLHF
func TestWriteRandomViTLHF(t *testing.T) {
	dir := os.Getenv(writeViTLEnv)
	if dir == "" {
		t.Skipf("set %s to a folder to write the random-weight ViT-L", writeViTLEnv)
	}
	c, err := backbone.ParseHFConfig([]byte("{}"))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	enc, err := backbone.InitEncoder(c, rng)
	require.NoError(t, err)
	pred, err := backbone.InitPredictor(c, rng)
	require.NoError(t, err)
	require.NoError(t, backbone.WriteHF(dir, c, enc, pred))
}
