package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// Kind is the kind of a data set on disk.
type Kind int

const (
	// KindVideoList is one or more video list files (.csv or .txt).
	KindVideoList Kind = iota + 1
	// KindImageFolder is a folder holding train/ and val/ class folders.
	KindImageFolder
)

func (k Kind) String() string {
	switch k {
	case KindVideoList:
		return "video list"
	case KindImageFolder:
		return "image folder"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// DetectKind tells what path holds: a comma-separated list of .csv/.txt list files is a
// video list, a folder with train/ and val/ sub-folders an ImageFolder.
func DetectKind(path string) (Kind, error) {
	if path == "" {
		return 0, fmt.Errorf("no data set path given")
	}
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		for _, split := range []string{"train", "val"} {
			if s, err := os.Stat(filepath.Join(path, split)); err != nil || !s.IsDir() {
				return 0, fmt.Errorf("%s: a folder data set needs train/ and val/ sub-folders of class folders", path)
			}
		}
		return KindImageFolder, nil
	}
	for _, p := range splitLists(path) {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".csv", ".txt":
		default:
			return 0, fmt.Errorf("%s: not a video list (.csv or .txt) nor an image folder", p)
		}
	}
	return KindVideoList, nil
}

// splitLists splits a comma-separated list of list files.
func splitLists(path string) []string {
	var out []string
	for _, p := range strings.Split(path, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// OpenOptions configures Open.
type OpenOptions struct {
	// Split is the ImageFolder split, "train" or "val" (default "train"). Ignored by lists.
	Split string
	// NumClasses bounds the labels of video lists (0: inferred); see VideoListOptions.
	NumClasses int
	// Sampling is the clip sampling of video lists; the zero value means PretrainSampling().
	Sampling SamplingParams
	// ImageFrames is the number of frames an image is repeated to (default 16).
	ImageFrames int
	// Image is the ImageFolder image pipeline (see ImageFolderOptions); video lists ignore it.
	Image transform.Image
	// Transform and MultiView transform the clips (see VideoListOptions).
	Transform transform.Video
	MultiView transform.MultiView
	// Decoder decodes videos; nil means decode.Default().
	Decoder decode.Decoder
}

// Open opens the data set at path, choosing its kind with DetectKind: list files give a
// *VideoList (several comma-separated lists are concatenated, as the pretraining mixtures
// are), a folder with train/ and val/ gives the *ImageFolder of opts.Split.
func Open(path string, opts OpenOptions) (Dataset, error) {
	kind, err := DetectKind(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindImageFolder:
		split := opts.Split
		if split == "" {
			split = "train"
		}
		return NewImageFolder(ImageFolderOptions{Root: path, Split: split, NumFrames: opts.ImageFrames,
			Image: opts.Image, Transform: opts.Transform, MultiView: opts.MultiView})
	default:
		sampling := opts.Sampling
		if sampling == (SamplingParams{}) {
			sampling = PretrainSampling()
		}
		return NewVideoList(VideoListOptions{Lists: splitLists(path), NumClasses: opts.NumClasses,
			Sampling: sampling, Transform: opts.Transform, MultiView: opts.MultiView, Decoder: opts.Decoder})
	}
}
