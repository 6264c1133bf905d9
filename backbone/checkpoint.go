package backbone

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/internal/torchckpt"
)

// BareName strips the wrapper prefixes the official code leaves in state-dict keys
// ("module." from DistributedDataParallel and "backbone." from the multi-mask wrappers).
func BareName(key string) string {
	key = strings.TrimPrefix(key, "module.")
	return strings.TrimPrefix(key, "backbone.")
}

// Checkpoint is an open official-format checkpoint (torch.save zip): an official training
// checkpoint, a released vitl16.pth.tar / vith16.pth.tar / vith16-384.pth.tar, or one of ours.
// Tensors are read one at a time from the zip, so a multi-GB checkpoint is never loaded whole.
type Checkpoint struct {
	path string
	f    *torchckpt.File
}

// OpenCheckpoint opens path.
func OpenCheckpoint(path string) (*Checkpoint, error) {
	f, err := torchckpt.Open(path)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{path: path, f: f}, nil
}

// Close releases the file.
func (c *Checkpoint) Close() error { return c.f.Close() }

// Path is the checkpoint's file name.
func (c *Checkpoint) Path() string { return c.path }

// File gives access to the raw checkpoint (optimizer state, scalars).
func (c *Checkpoint) File() *torchckpt.File { return c.f }

// Has reports whether the checkpoint has the top-level entry key.
func (c *Checkpoint) Has(key string) bool {
	_, err := c.f.StateDict(key)
	return err == nil
}

// MaskTokens counts the predictor's mask_tokens.<i> (0 without a predictor).
func (c *Checkpoint) MaskTokens() int {
	sd, err := c.f.StateDict("predictor")
	if err != nil {
		return 0
	}
	n := 0
	for _, name := range sd.Names() {
		if strings.HasPrefix(BareName(name), "mask_tokens.") {
			n++
		}
	}
	return n
}

// ReadParams reads the state dict key ("encoder", "target_encoder", "predictor") and checks it
// against specs: every tensor is matched by bare name and shape, and any mismatch is one
// error listing the missing, unexpected and mis-shaped names. Only the tensors of specs are
// read.
//
// A RoPE model ignores a pos_embed / predictor_pos_embed in the file. With replaceTables, a sin-cos table whose shape differs from the spec (a checkpoint built
// for another resolution or clip length) is replaced by the exact table of cfg, as the
// official evaluation loader does; otherwise it is a shape mismatch.
func (c *Checkpoint) ReadParams(key string, specs []ParamSpec, cfg Config, replaceTables bool) (HostParams, error) {
	sd, err := c.f.StateDict(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	byBare := map[string]string{}
	for _, n := range sd.Names() {
		bare := BareName(n)
		if cfg.UseRoPE && (bare == "pos_embed" || bare == "predictor_pos_embed") {
			continue // the released V-JEPA 2 .pt files keep an unused table (src/hub/backbones.py)
		}
		byBare[bare] = n
	}
	want := map[string]ParamSpec{}
	for _, s := range specs {
		want[s.Name] = s
	}
	var missing, unexpected, missized []string
	out := HostParams{}
	for _, s := range specs {
		full, ok := byBare[s.Name]
		if !ok {
			if s.Frozen {
				// Every sin-cos checkpoint stores its table: one without is a RoPE (V-JEPA 2)
				// model, which a table would silently mis-run.
				return nil, fmt.Errorf("%s: %s has no %s: a V-JEPA 2 (RoPE) checkpoint? set use_rope: true in the config", c.path, key, s.Name)
			}
			missing = append(missing, s.Name)
			continue
		}
		shape, _, _ := sd.Info(full)
		if !slices.Equal(shape, s.Shape) {
			if s.Frozen && replaceTables {
				if err := fillTable(out, s, cfg); err != nil {
					return nil, err
				}
				continue
			}
			missized = append(missized, fmt.Sprintf("%s (model %v, checkpoint %v)", s.Name, s.Shape, shape))
			continue
		}
		v, _, err := sd.Read(full)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", c.path, full, err)
		}
		out[s.Name] = v
	}
	for bare := range byBare {
		if _, ok := want[bare]; !ok {
			unexpected = append(unexpected, bare)
		}
	}
	if err := mismatchError(missing, unexpected, missized); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", c.path, key, err)
	}
	return out, nil
}

func fillTable(out HostParams, s ParamSpec, c Config) error {
	t, h, w := c.Grid()
	dim := s.Shape[len(s.Shape)-1]
	table, err := SinCos3D(dim, t, h, w, c.UniformPower)
	if err != nil {
		return err
	}
	out[s.Name] = table
	return nil
}
