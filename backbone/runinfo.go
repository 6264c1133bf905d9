package backbone

import (
	"encoding/json"
	"fmt"

	"github.com/vjepa-go/vjepa/internal/torchckpt"
)

// RunInfoKey is the top-level checkpoint entry in which this project describes the run that
// wrote a checkpoint. The official loaders ignore unknown keys, so checkpoints stay loadable
// by the official code.
const RunInfoKey = "vjepa_go"

// RunInfo is what a checkpoint written by this project says about itself (nanoGPT keeps
// model_args and config in every checkpoint for the same reason): the network, the
// pretraining configuration and the data it was trained on. With it, encode, predict, embed
// and probe need no --config for our own checkpoints.
type RunInfo struct {
	Model        Config   // the encoder and predictor the weights belong to
	ConfigName   string   // the pretraining config's file or preset name
	ConfigSource string   // the pretraining YAML as it was read
	Data         []string // the data sets trained on (names or list files, as in the YAML)
}

// Set stores the run description in the checkpoint entry meta (the RunInfoKey dict).
func (r RunInfo) Set(meta *torchckpt.OrderedDict) error {
	model, err := json.Marshal(r.Model)
	if err != nil {
		return fmt.Errorf("run info: %w", err)
	}
	data := make([]any, len(r.Data))
	for i, d := range r.Data {
		data[i] = d
	}
	meta.Set("config", r.ConfigName)
	meta.Set("model", string(model))
	meta.Set("config_source", r.ConfigSource)
	meta.Set("data", &torchckpt.List{Items: data})
	return nil
}

// RunInfo reads the run description of a checkpoint written by this project. ok is false
// for checkpoints that have none (the official ones, and ours from before it was added).
func (c *Checkpoint) RunInfo() (info RunInfo, ok bool, err error) {
	v, err := c.f.Lookup(RunInfoKey)
	if err != nil {
		return RunInfo{}, false, nil
	}
	meta, isDict := v.(*torchckpt.OrderedDict)
	if !isDict {
		return RunInfo{}, false, fmt.Errorf("%s: %s is not a dict", c.path, RunInfoKey)
	}
	model, has := meta.Get("model")
	if !has {
		return RunInfo{}, false, nil
	}
	text, isString := model.(string)
	if !isString {
		return RunInfo{}, false, fmt.Errorf("%s: %s.model is not a string", c.path, RunInfoKey)
	}
	if err := json.Unmarshal([]byte(text), &info.Model); err != nil {
		return RunInfo{}, false, fmt.Errorf("%s: %s.model: %w", c.path, RunInfoKey, err)
	}
	if err := info.Model.Validate(); err != nil {
		return RunInfo{}, false, fmt.Errorf("%s: %s.model: %w", c.path, RunInfoKey, err)
	}
	if s, isString := metaValue(meta, "config").(string); isString {
		info.ConfigName = s
	}
	if s, isString := metaValue(meta, "config_source").(string); isString {
		info.ConfigSource = s
	}
	if l, isList := metaValue(meta, "data").(*torchckpt.List); isList {
		for _, item := range l.Items {
			s, isString := item.(string)
			if !isString {
				return RunInfo{}, false, fmt.Errorf("%s: %s.data holds a %T, want strings", c.path, RunInfoKey, item)
			}
			info.Data = append(info.Data, s)
		}
	}
	return info, true, nil
}

func metaValue(d *torchckpt.OrderedDict, key string) any {
	v, _ := d.Get(key)
	return v
}
