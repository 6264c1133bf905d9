package results

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

// Encoder entries of a checkpoint that a pretrained record can probe.
const (
	// targetEncoderKey is the EMA target encoder, what the official evaluations probe and the
	// default when a record names none.
	targetEncoderKey = "target_encoder"
	// contextEncoderKey is the context (online) encoder.
	contextEncoderKey = "encoder"
)

// encoderKey is the checkpoint entry a pretrained record probed, "" for a random-init backbone.
func encoderKey(r *probe.Record) string {
	switch {
	case r.Backbone.Init == InitRandom:
		return ""
	case r.Backbone.EncoderKey == "":
		return targetEncoderKey
	}
	return r.Backbone.EncoderKey
}

// encoderLabel names the encoder in the tables: "target", "context", "—" for random init.
func encoderLabel(r *probe.Record) string {
	switch k := encoderKey(r); k {
	case "":
		return "—"
	case targetEncoderKey:
		return "target"
	case contextEncoderKey:
		return "context"
	default:
		return k
	}
}

// comparable is the one rule for every comparison on the page: two records may be compared
// when they match on the data set (name, classes and split sizes, which change with its
// version), the protocol, the probe (type and every setting, the head sweep included), the
// backbone architecture and the encoder entry; a random-init record matches any encoder. The
// reason says what differs when they do not.
func comparable(a, b *probe.Record) (bool, string) {
	switch {
	case datasetKey(a) != datasetKey(b):
		return false, "different data set or data set version"
	case a.Protocol != b.Protocol:
		return false, "different protocol"
	case probeKey(a) != probeKey(b):
		return false, "different probe or probe settings"
	case archKey(a.Backbone) != archKey(b.Backbone):
		return false, "different backbone architecture"
	case encoderKey(a) != "" && encoderKey(b) != "" && encoderKey(a) != encoderKey(b):
		return false, "different encoder (target vs context)"
	}
	return true, ""
}

// configKey identifies a configuration: records with the same key are reruns of one
// measurement (same data, protocol, probe, weights and encoder) and are pooled by seed.
func configKey(r *probe.Record) string {
	return strings.Join([]string{datasetKey(r), fmt.Sprintf("%+v", r.Protocol), probeKey(r),
		archKey(r.Backbone), r.Backbone.Init, weightsKey(r.Backbone), encoderKey(r)}, "\x00")
}

func datasetKey(r *probe.Record) string {
	return fmt.Sprintf("%s|%d|%d|%d", r.Dataset, r.NumClasses, r.NumTrain, r.NumVal)
}

func archKey(b probe.BackboneInfo) string {
	return fmt.Sprintf("%s|%d|%d|%d|%d", b.Model, b.EmbedDim, b.Depth, b.PatchSize, b.Tubelet)
}

// weightsKey names the backbone's weights: the checkpoint's SHA-256 (the same file under two
// paths is the same weights), else its path; empty for a random-init backbone, whose weights
// the seed draws.
func weightsKey(b probe.BackboneInfo) string {
	switch {
	case b.Init == InitRandom:
		return ""
	case b.CheckpointSHA256 != "":
		return b.CheckpointSHA256
	}
	return b.Checkpoint
}

// probeKey holds every probe setting that changes what is measured: type, schedule, k-NN
// settings, few-label regime, augmentation and the head sweep's hyperparameters.
func probeKey(r *probe.Record) string {
	p := r.Probe
	knn := "-"
	if p.KNN != nil {
		knn = fmt.Sprintf("%d/%g", p.KNN.K, p.KNN.Temperature)
	}
	var heads []string
	for _, h := range r.Heads {
		heads = append(heads, fmt.Sprintf("%g/%g/%g/%g/%g", h.LR, h.StartLR, h.FinalLR, h.WeightDecay, h.FinalWD))
	}
	return fmt.Sprintf("%s|%d|%d|%d|%g|%d|%s|%t|%s", p.Type, p.Epochs, p.BatchSize, p.NumHeads, p.Warmup,
		p.LabelsPerClass, knn, p.TrainAugmentation, strings.Join(heads, ","))
}

// protocolDiff names the first field in which two protocols differ, "" when they are equal
// (the checker's message says which).
func protocolDiff(a, b probe.Protocol) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return fmt.Sprintf("%s %v vs %v", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return ""
}
