package probe_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/backend/goconfig"
	"github.com/vjepa-go/vjepa/probe"
)

// The examples use the repository's tiny test models (testdata/fixtures) and a real video of
// the Debian package opencv-doc: replace them with a released checkpoint and your videos.
const (
	exampleVideo  = "/usr/share/doc/opencv-doc/examples/data/tree.avi"
	exampleModels = "../testdata/fixtures/"
)

// Open a checkpoint of either generation and embed a video: a Hugging Face VJEPA2 folder
// describes its model; an official V-JEPA checkpoint comes with its pretraining YAML.
func Example_embedVideo() {
	be, err := goconfig.New("") // any GoMLX backend: XLA on a GPU, the pure-Go one on a CPU
	if err != nil {
		log.Fatal(err)
	}
	checkpoints := []struct{ name, weights, yaml string }{
		{"V-JEPA 2", exampleModels + "v2_small", ""},
		{"V-JEPA", exampleModels + "small_short/checkpoint.pth", "../cmd/vjepa/testdata/small_short.yaml"},
	}
	for _, ck := range checkpoints {
		cfg, params, err := backbone.LoadEncoder(ck.weights, ck.yaml)
		if err != nil {
			log.Fatal(err)
		}
		enc, err := probe.NewEncoder(be, cfg, params)
		if err != nil {
			log.Fatal(err)
		}
		// One clip of the model's length from the middle of the video, the centre crop.
		videos, err := probe.OpenVideos([]string{exampleVideo}, probe.Protocol{FramesPerClip: cfg.NumFrames, FrameStep: 4,
			NumSegments: 1, NumViews: 1, Resolution: cfg.CropSize})
		if err != nil {
			log.Fatal(err)
		}
		defer videos.Close()
		batch, err := videos.Batch(context.Background(), 0)
		if err != nil {
			log.Fatal(err)
		}
		views, err := enc.Features(batch) // one [1,N,D] tensor per spatial view
		if err != nil {
			log.Fatal(err)
		}
		tokens := views[0]
		embedding := make([]float32, tokens.Shape[2]) // the mean token
		for i, v := range tokens.F32 {
			embedding[i%len(embedding)] += v / float32(tokens.Shape[1])
		}
		fmt.Printf("%s: %d tokens → a %d-dimensional embedding\n", ck.name, tokens.Shape[1], len(embedding))
	}
	// Output:
	// V-JEPA 2: 32 tokens → a 48-dimensional embedding
	// V-JEPA: 72 tokens → a 96-dimensional embedding
}

// Classify a video with a Hugging Face VJEPA2ForVideoClassification (e.g.
// facebook/vjepa2-vitl-fpc16-256-ssv2, downloaded with `huggingface-cli download`), as the
// official evaluation does: 2 segments × 3 views, softmax averaged over the views.
func Example_classifyVideo() {
	be, err := goconfig.New("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := probe.LoadHFClassifier(exampleModels + "hfcls_small")
	if err != nil {
		log.Fatal(err)
	}
	runner, err := probe.NewClassifierRunner(be, c)
	if err != nil {
		log.Fatal(err)
	}
	videos, err := probe.OpenVideos([]string{exampleVideo}, c.VideoProtocol())
	if err != nil {
		log.Fatal(err)
	}
	defer videos.Close()
	batch, err := videos.Batch(context.Background(), 0)
	if err != nil {
		log.Fatal(err) // e.g. "tree.avi: libav open: Invalid data found when processing input"
	}
	probs, err := runner.Probabilities(batch)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range probe.TopClasses(probs[0], c.Labels, 3) {
		fmt.Println(p.Label)
	}
	// Output:
	// Rolling [something] across a flat surface
	// Lifting [something] up, then letting it drop
	// Turning [something] upside down
}

// Train an attentive probe on cached frozen features: the encoder runs once over each split,
// the features are kept on disk, and the probe trains on them.
func Example_trainProbeOnCachedFeatures() {
	ctx := context.Background()
	be, err := goconfig.New("")
	if err != nil {
		log.Fatal(err)
	}
	cfg, params, err := backbone.LoadEncoder(exampleModels+"v2_small", "")
	if err != nil {
		log.Fatal(err)
	}
	enc, err := probe.NewEncoder(be, cfg, params)
	if err != nil {
		log.Fatal(err)
	}
	cacheDir, err := os.MkdirTemp("", "features")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cacheDir)
	cache := probe.FeatureCache{Dir: cacheDir}
	features := map[string]*probe.FeatureSet{}
	for _, split := range []string{synthetic.SplitTrain, synthetic.SplitVal} {
		key := cache.Key("v2_small", synthetic.Motion, split)
		fs, err := cache.Load(key) // nil until the first run saved them
		if err != nil {
			log.Fatal(err)
		}
		if fs == nil {
			ds, err := synthetic.Builtin(synthetic.Motion, synthetic.Config{Split: split, TrainSize: 32, ValSize: 16,
				Frames: cfg.NumFrames, Size: cfg.CropSize})
			if err != nil {
				log.Fatal(err)
			}
			if fs, err = probe.Extract(ctx, enc, ds, 8, 1, 0, io.Discard, split); err != nil {
				log.Fatal(err)
			}
			if err := cache.Save(key, fs); err != nil {
				log.Fatal(err)
			}
		}
		features[split] = fs
	}
	train := features[synthetic.SplitTrain]
	model := probe.Model{Kind: probe.Attentive4, EmbedDim: cfg.EmbedDim, NumHeads: cfg.NumHeads, NumClasses: train.NumClasses}
	out, err := probe.TrainAndEvaluate(ctx, be, train, features[synthetic.SplitVal], probe.TrainOptions{
		Model: model, Training: probe.Training{Epochs: 2, BatchSize: 8,
			Sweep: []probe.HeadConfig{{LR: 5e-3, StartLR: 5e-3, WeightDecay: 0.01, FinalWD: 0.01}}}, // vjepa2 eval configs
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trained on %d clips of %d classes, validated on %d; top-1 within [0, 100]: %v\n",
		train.Len(), train.NumClasses, features[synthetic.SplitVal].Len(), out.Heads[0].Top1 >= 0 && out.Heads[0].Top1 <= 100)
	// Output:
	// trained on 32 clips of 8 classes, validated on 16; top-1 within [0, 100]: true
}
