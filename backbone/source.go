package backbone

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/safetensors"
)

// ParamSource is an open file of backbone weights: an official torch.save checkpoint
// ([Checkpoint]) or a Hugging Face VJEPA2 model.safetensors ([HFWeights]).
type ParamSource interface {
	// Path is the file's name.
	Path() string
	// Has reports whether the file holds the weights of key ("encoder", "target_encoder",
	// "predictor").
	Has(key string) bool
	// ReadParams reads the weights of key under their official bare names, checked against
	// specs.
	ReadParams(key string, specs []ParamSpec, cfg Config, replaceTables bool) (HostParams, error)
	// MaskTokens is the number of predictor mask tokens in the file (0 without a predictor).
	MaskTokens() int
	Close() error
}

// HF file names of a VJEPA2 model folder.
const (
	HFWeightsFile = "model.safetensors"
	HFConfigFile  = "config.json"
)

// OpenParamSource opens backbone weights, recognised by content: a torch.save zip (official
// training checkpoint, released V-JEPA / V-JEPA 2 .pt or .pth.tar, ours), a safetensors file,
// or a folder holding model.safetensors and config.json (a Hugging Face VJEPA2 model). When
// the weights describe their model, its configuration is returned too: a Hugging Face
// config.json (the folder's, or one beside a safetensors file), or the run description of a
// checkpoint written by this project ([RunInfo]). Otherwise cfg is nil and the model must
// come from a YAML config.
func OpenParamSource(path string) (src ParamSource, cfg *Config, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	weights := path
	if st.IsDir() {
		weights = filepath.Join(path, HFWeightsFile)
		if _, err := os.Stat(weights); err != nil {
			return nil, nil, fmt.Errorf("%s: a checkpoint folder must hold %s and %s (a Hugging Face VJEPA2 model)", path, HFWeightsFile, HFConfigFile)
		}
		if _, err := os.Stat(filepath.Join(path, HFConfigFile)); err != nil {
			return nil, nil, fmt.Errorf("%s: a checkpoint folder must hold %s and %s (a Hugging Face VJEPA2 model); %s is missing", path, HFWeightsFile, HFConfigFile, HFConfigFile)
		}
	}
	kind, err := sniff(weights)
	if err != nil {
		return nil, nil, err
	}
	switch kind {
	case "zip":
		ck, err := OpenCheckpoint(weights)
		if err != nil {
			return nil, nil, err
		}
		info, described, err := ck.RunInfo()
		if err != nil {
			ck.Close()
			return nil, nil, err
		}
		if described {
			return ck, &info.Model, nil
		}
		return ck, nil, nil
	case "safetensors":
		hf, err := OpenHFWeights(weights)
		if err != nil {
			return nil, nil, err
		}
		cfgPath := filepath.Join(filepath.Dir(weights), HFConfigFile)
		if _, err := os.Stat(cfgPath); err != nil {
			return hf, nil, nil
		}
		c, err := LoadHFConfig(cfgPath)
		if err != nil {
			hf.Close()
			return nil, nil, err
		}
		return hf, &c, nil
	}
	return nil, nil, fmt.Errorf("%s: not a checkpoint: neither a torch.save zip nor safetensors", weights)
}

// sniff reads the start of path: "zip", "safetensors" or "".
func sniff(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	switch {
	case n >= 4 && string(head[:4]) == "PK\x03\x04":
		return "zip", nil
	case safetensors.Sniff(head, st.Size()):
		return "safetensors", nil
	}
	return "", nil
}

// EncoderKey is the entry of src that an evaluation reads for the requested key: key itself,
// with "" meaning "target_encoder", except that a file without a target encoder but with an
// encoder gives "encoder" (the official evaluation loader's fallback; an exported model or a
// Hugging Face folder holds one encoder).
func EncoderKey(src ParamSource, key string) string {
	if key == "" {
		key = "target_encoder"
	}
	if key == "target_encoder" && !src.Has(key) && src.Has("encoder") {
		return "encoder"
	}
	return key
}
