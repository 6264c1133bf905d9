// Package probe trains and evaluates attentive probes on frozen V-JEPA backbones, as the
// official frozen evaluations do (K400, SSv2, ImageNet-1K and the built-in data sets), and
// the training-free k-NN evaluation on mean-pooled features.
//
// An [Experiment] extracts each backbone's frozen features once (cached on disk, keyed on
// the backbone, data and protocol, never on the probe seed) and probes them over several
// seeds: its records carry every seed's accuracy, their mean ± standard deviation and, for a
// pretrained backbone compared with a random-init one, the paired difference with the 95 %
// interval of a paired t-test.
//
// A [Classifier] is a whole video classifier, encoder and probe: read from a Hugging Face
// VJEPA2ForVideoClassification folder ([LoadHFClassifier]) or written as one
// ([Classifier.WriteHF]), run on clips or on videos decoded with the official evaluation
// protocol ([OpenVideos], [ClassifierRunner.Probabilities]; see docs/classify.md).
//
// The feature cache holds each split as one file per encoder batch ("part"), so an
// extraction can be split into shards ([Shard], `vjepa probe --extract-only --shard I/N`): one
// process per GPU, on any number of hosts sharing the cache folder, each encoding its slice; a
// killed shard resumes at its first missing part, and the probes then run on the completed
// cache with bit-identical results. With training augmentation, a [FeatureBank] extracts E augmented
// passes of the training set once and probe training cycles through them.
package probe
