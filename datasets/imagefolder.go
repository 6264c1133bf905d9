package datasets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// imageExtensions are the file name endings torchvision's ImageFolder accepts
// (IMG_EXTENSIONS, compared in lower case). Only JPEG and PNG can be decoded; other formats
// are kept so that the sample count matches and fail as samples.
var imageExtensions = []string{".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}

// ImageEntry is one image of an ImageFolder.
type ImageEntry struct {
	Path  string
	Label int
}

// ImageFolderOptions configures an ImageFolder data set.
type ImageFolderOptions struct {
	// Root is the folder holding the split folders (train/, val/).
	Root string
	// Split is the split folder to read, "train" or "val" (any sub-folder name works).
	Split string
	// NumFrames is the number of times each image is repeated along time (16 for V-JEPA,
	// the official image evaluations); 0 means 16.
	NumFrames int
	// Image is the image pipeline (e.g. transform.NewImageTrain, transform.NewImageEval): it
	// turns the image into one view. Without it, Transform (one view) or MultiView (several
	// views) is applied to the image as a one-frame clip. With none, the image is converted
	// to float unchanged.
	Image     transform.Image
	Transform transform.Video
	MultiView transform.MultiView
}

// ImageFolder is torchvision's ImageFolder layout, <root>/<split>/<class>/<image>: class
// indices follow the sorted class folder names. Each image is transformed as a one-frame
// clip and then repeated NumFrames times along time, as the official image evaluations feed
// images to the video model (docs/model.md#images).
type ImageFolder struct {
	opts    ImageFolderOptions
	classes []string
	entries []ImageEntry
}

// NewImageFolder lists the images of opts.Root/opts.Split.
func NewImageFolder(opts ImageFolderOptions) (*ImageFolder, error) {
	if opts.NumFrames == 0 {
		opts.NumFrames = 16
	}
	if opts.NumFrames < 1 {
		return nil, fmt.Errorf("image folder: invalid number of frames %d", opts.NumFrames)
	}
	if opts.Split == "" {
		return nil, fmt.Errorf("image folder %s: no split given (train or val)", opts.Root)
	}
	dir := filepath.Join(opts.Root, opts.Split)
	classes, entries, err := scanImageFolder(dir)
	if err != nil {
		return nil, err
	}
	return &ImageFolder{opts: opts, classes: classes, entries: entries}, nil
}

// scanImageFolder lists the classes and images of one split folder in torchvision's order:
// classes sorted by name, and inside a class the files of each (recursive) folder, folders
// sorted by path and files by name.
func scanImageFolder(dir string) ([]string, []ImageEntry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("image folder: %w", err)
	}
	var classes []string
	for _, de := range des {
		if isDir(dir, de) {
			classes = append(classes, de.Name())
		}
	}
	if len(classes) == 0 {
		return nil, nil, fmt.Errorf("image folder %s: no class folders", dir)
	}
	sort.Strings(classes)
	var entries []ImageEntry
	for label, c := range classes {
		files := map[string][]string{}
		err := filepath.WalkDir(filepath.Join(dir, c), func(p string, de os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !de.IsDir() && hasImageExtension(de.Name()) {
				files[filepath.Dir(p)] = append(files[filepath.Dir(p)], de.Name())
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("image folder: %w", err)
		}
		if len(files) == 0 {
			return nil, nil, fmt.Errorf("image folder %s: class %q has no image files", dir, c)
		}
		dirs := make([]string, 0, len(files))
		for d := range files {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			names := files[d]
			sort.Strings(names)
			for _, n := range names {
				entries = append(entries, ImageEntry{Path: filepath.Join(d, n), Label: label})
			}
		}
	}
	return classes, entries, nil
}

// isDir reports whether de is a folder, following a symbolic link.
func isDir(parent string, de os.DirEntry) bool {
	if de.IsDir() {
		return true
	}
	if de.Type()&os.ModeSymlink != 0 {
		st, err := os.Stat(filepath.Join(parent, de.Name()))
		return err == nil && st.IsDir()
	}
	return false
}

func hasImageExtension(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range imageExtensions {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// Len implements Dataset.
func (d *ImageFolder) Len() int { return len(d.entries) }

// NumClasses implements Dataset.
func (d *ImageFolder) NumClasses() int { return len(d.classes) }

// Classes returns the class folder names in label order (not to be modified).
func (d *ImageFolder) Classes() []string { return d.classes }

// Entries returns the images in sample order (not to be modified).
func (d *ImageFolder) Entries() []ImageEntry { return d.entries }

// Source returns the path of sample i.
func (d *ImageFolder) Source(i int) string { return d.entries[i].Path }

// Sample implements Dataset: it decodes image i, transforms it as a one-frame clip and
// repeats the result NumFrames times along time. Failures are *SampleError.
func (d *ImageFolder) Sample(ctx context.Context, i int, rng *rand.Rand) (*media.Sample, error) {
	clips, err := d.loadClips(ctx, i, rng)
	if err != nil {
		return nil, err
	}
	e := d.entries[i]
	var views [][]media.Clip
	if d.opts.Image != nil {
		c, err := d.opts.Image.ApplyImage(clips[0], rng)
		if err != nil {
			return nil, &SampleError{Index: i, Source: e.Path, Err: fmt.Errorf("transform: %w", err)}
		}
		views = [][]media.Clip{{c}}
	} else if views, err = transformClips(clips, d.opts.Transform, d.opts.MultiView, rng); err != nil {
		return nil, &SampleError{Index: i, Source: e.Path, Err: err}
	}
	for _, v := range views {
		for s := range v {
			if v[s].T == 1 {
				v[s] = transform.RepeatTime(v[s], d.opts.NumFrames)
			}
		}
	}
	return &media.Sample{Views: views, Label: e.Label, Source: e.Path}, nil
}

// loadClips decodes image i as one one-frame clip.
func (d *ImageFolder) loadClips(ctx context.Context, i int, _ *rand.Rand) ([]*media.Frames, error) {
	if i < 0 || i >= len(d.entries) {
		return nil, fmt.Errorf("sample index %d out of range [0, %d)", i, len(d.entries))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := decode.ImageFile(d.entries[i].Path)
	if err != nil {
		return nil, &SampleError{Index: i, Source: d.entries[i].Path, Err: err}
	}
	return []*media.Frames{f}, nil
}
