// Package officialcfg reads the YAML configuration files of the official V-JEPA code
// (github.com/facebookresearch/jepa) exactly as they are published: the pretraining
// configs (configs/pretrain/*.yaml, read by app/vjepa/train.py) and the frozen-evaluation
// configs (configs/evals/*.yaml, read by evals/video_classification_frozen/eval.py and
// evals/image_classification_frozen/eval.py). It also reads the frozen-evaluation configs of
// V-JEPA 2 (github.com/facebookresearch/vjepa2, configs/eval/<model>/<task>.yaml), whose
// layout differs (see [EvalConfig]); both generations' eval configs are embedded as presets
// ([EvalPresets]).
//
// Every key the official scripts read is decoded into a typed field, with the default the
// official script uses when the key is absent. Keys nobody reads produce a [Warning] naming
// the file, line and dotted key path; a value of the wrong type is an error (see [KeyError]).
// The whole document is also kept, untyped, in the Raw field of the loaded configuration.
//
// The package is pure data: backbone.FromPretrainConfig and backbone.FromEvalConfig turn a
// loaded configuration into the network it describes; [EvalConfig.ProbeStructure] gives the
// attentive probe an eval config trains.
package officialcfg
