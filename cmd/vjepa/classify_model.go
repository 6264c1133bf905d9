package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/probe"
)

// classifierSource says where a whole classifier (encoder + probe) comes from.
type classifierSource struct {
	checkpoint  string // HF VJEPA2ForVideoClassification folder, or the encoder checkpoint of a pair
	probe       string // official or our probe checkpoint (pair only)
	config      string // eval YAML or preset: the pair's structure, and the video protocol
	head        int
	classNames  string // optional file: one class name per line
	officialEps bool   // HF folder: run the pooler LayerNorms at the official probe's 1e-5
	exec        executionFlags
}

// loadedClassifier is a whole classifier with what its eval config (if any) says about running it.
type loadedClassifier struct {
	*probe.Classifier
	protocol    *probe.Protocol // the eval config's evaluation protocol; nil without one
	configDType string          // the eval config's dtype (meta.dtype); "" without one
}

// runner opens the backend and runs l on it as s.exec says: --precision auto follows the eval
// config's dtype where one is given (a HF folder's config.json has none: float32).
func (s classifierSource) runner(bf *backendFlags, l loadedClassifier) (*probe.ClassifierRunner, error) {
	backend, err := bf.open()
	if err != nil {
		return nil, err
	}
	e, err := s.exec.execution(backend, l.configDType)
	if err != nil {
		return nil, err
	}
	l.Backbone.Exec, l.Probe.Exec = e, e
	return probe.NewClassifierRunner(backend, l.Classifier)
}

// load opens the classifier and, where s.config is given, reads its evaluation protocol and
// dtype (a HF folder's config.json holds no evaluation protocol).
func (s classifierSource) load() (loadedClassifier, error) {
	var (
		l   loadedClassifier
		err error
	)
	switch {
	case s.checkpoint == "":
		return l, errors.New("--checkpoint is required: a Hugging Face VJEPA2ForVideoClassification folder, or an encoder checkpoint with --probe-checkpoint and --config")
	case s.probe == "":
		if !probe.IsHFClassifier(s.checkpoint) {
			return l, fmt.Errorf("%s is not a Hugging Face VJEPA2ForVideoClassification folder (model.safetensors with a classifier and config.json); for an encoder checkpoint give --probe-checkpoint and --config", s.checkpoint)
		}
		if l.Classifier, err = probe.LoadHFClassifier(s.checkpoint); err != nil {
			return l, err
		}
		if s.officialEps {
			l.Probe.NormEps = probe.LayerNormEps
		}
		if s.config != "" {
			if err = s.addProtocol(&l); err != nil {
				return l, err
			}
		}
	default:
		if l, err = s.loadPair(); err != nil {
			return l, err
		}
	}
	if s.classNames != "" {
		if l.Labels, err = readClassNames(s.classNames, l.Probe.NumClasses); err != nil {
			return l, err
		}
	}
	return l, nil
}

// loadPair opens an official (or our) encoder checkpoint and probe checkpoint, the eval YAML
// giving both structures and the evaluation protocol.
func (s classifierSource) loadPair() (loadedClassifier, error) {
	if s.config == "" {
		return loadedClassifier{}, errors.New("--config (the frozen-evaluation YAML or preset) is required with --probe-checkpoint")
	}
	cfg, err := s.evalConfig()
	if err != nil {
		return loadedClassifier{}, err
	}
	e, err := probe.ExperimentFromConfig("classify", cfg, "")
	if err != nil {
		return loadedClassifier{}, err
	}
	m, head, _, err := s.loadProbe(cfg)
	if err != nil {
		return loadedClassifier{}, err
	}
	e.Checkpoint = s.checkpoint
	enc, err := e.PretrainedEncoder()
	if err != nil {
		return loadedClassifier{}, err
	}
	c := &probe.Classifier{Backbone: e.Model, Encoder: enc, Probe: m, Head: head, Labels: indexLabels(m.NumClasses)}
	return loadedClassifier{Classifier: c, protocol: &e.Data.Protocol, configDType: backbone.EvalDType(cfg)}, nil
}

// addProtocol sets the evaluation protocol and dtype of l (a HF folder) from the eval config
// s.config: e.g. vjepa2_vitl_diving48 for the Diving48 classifier, whose official evaluation
// samples 4 segments with frame step 2.
func (s classifierSource) addProtocol(l *loadedClassifier) error {
	cfg, err := s.evalConfig()
	if err != nil {
		return err
	}
	e, err := probe.ExperimentFromConfig("classify", cfg, "")
	if err != nil {
		return err
	}
	if n := cfg.Data.NumClasses; n != 0 && n != l.Probe.NumClasses {
		return fmt.Errorf("%s: the config evaluates %d classes, %s classifies %d: not its evaluation config", s.config, n, s.checkpoint, l.Probe.NumClasses)
	}
	l.protocol, l.configDType = &e.Data.Protocol, backbone.EvalDType(cfg)
	return nil
}

// evalConfig reads the eval YAML or preset s.config, printing its warnings.
func (s classifierSource) evalConfig() (*officialcfg.EvalConfig, error) {
	cfg, warnings, err := probe.LoadEvalConfig(s.config)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	return cfg, nil
}

// loadProbe reads head s.head of the probe checkpoint, its structure from the eval config cfg,
// and the checkpoint key of the encoder the config evaluates.
func (s classifierSource) loadProbe(cfg *officialcfg.EvalConfig) (probe.Model, backbone.HostParams, string, error) {
	m, err := probe.ModelFromEvalConfig(cfg)
	if err != nil {
		return probe.Model{}, nil, "", err
	}
	ck, err := probe.LoadCheckpoint(s.probe, m)
	if err != nil {
		return probe.Model{}, nil, "", err
	}
	if s.head < 0 || s.head >= len(ck.Heads) {
		return probe.Model{}, nil, "", fmt.Errorf("--head %d is out of range: %s holds %d probe head(s)", s.head, s.probe, len(ck.Heads))
	}
	key := cfg.Pretrain.CheckpointKey
	if key == "" {
		key = "target_encoder"
	}
	return m, ck.Heads[s.head], key, nil
}

// labels are the class names of s.classNames, else the class indices.
func (s classifierSource) labels(n int) ([]string, error) {
	if s.classNames == "" {
		return indexLabels(n), nil
	}
	return readClassNames(s.classNames, n)
}

// indexLabels names n classes by their index.
func indexLabels(n int) []string {
	labels := make([]string, n)
	for i := range labels {
		labels[i] = strconv.Itoa(i)
	}
	return labels
}

// readClassNames reads one class name per line (blank lines ignored); there must be n.
func readClassNames(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name := strings.TrimSpace(sc.Text()); name != "" {
			names = append(names, name)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(names) != n {
		return nil, fmt.Errorf("%s: %d class names, the probe has %d classes", path, len(names), n)
	}
	return names, nil
}
