package datasets

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// DefaultFashionMNISTDir is where the Debian package dataset-fashion-mnist installs the
// Fashion-MNIST IDX files.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClassNames returns the Fashion-MNIST class names indexed by label, prefixed with
// the label so that they sort in label order (as ImageFolder assigns labels).
func FashionMNISTClassNames() []string {
	return []string{
		"0-tshirt-top", "1-trouser", "2-pullover", "3-dress", "4-coat",
		"5-sandal", "6-shirt", "7-sneaker", "8-bag", "9-ankle-boot",
	}
}

// FashionMNIST is one split of Fashion-MNIST: grey-level images with their labels.
type FashionMNIST struct {
	Rows, Cols int
	Images     []uint8 // len Len()*Rows*Cols, row-major
	Labels     []uint8
}

// Len is the number of images.
func (m *FashionMNIST) Len() int { return len(m.Labels) }

// Image returns the pixels of image i.
func (m *FashionMNIST) Image(i int) []uint8 {
	n := m.Rows * m.Cols
	return m.Images[i*n : (i+1)*n]
}

// ReadFashionMNIST reads split synthetic.SplitTrain (the 60000 training images) or
// synthetic.SplitVal (the 10000 test images) from the IDX files in dir, gzip-compressed (*.gz)
// or not.
func ReadFashionMNIST(dir, split string) (*FashionMNIST, error) {
	var prefix string
	switch split {
	case synthetic.SplitTrain:
		prefix = "train"
	case synthetic.SplitVal:
		prefix = "t10k"
	default:
		return nil, fmt.Errorf("fashion-mnist: split %q: want %q or %q", split, synthetic.SplitTrain, synthetic.SplitVal)
	}
	images, imgDims, err := readIDX(dir, prefix+"-images-idx3-ubyte", 3)
	if err != nil {
		return nil, err
	}
	labels, labelDims, err := readIDX(dir, prefix+"-labels-idx1-ubyte", 1)
	if err != nil {
		return nil, err
	}
	if imgDims[0] != labelDims[0] {
		return nil, fmt.Errorf("fashion-mnist in %s: %d %s images but %d labels", dir, imgDims[0], split, labelDims[0])
	}
	for i, l := range labels {
		if int(l) >= len(FashionMNISTClassNames()) {
			return nil, fmt.Errorf("fashion-mnist in %s: %s label %d of image %d out of range", dir, split, l, i)
		}
	}
	return &FashionMNIST{Rows: imgDims[1], Cols: imgDims[2], Images: images, Labels: labels}, nil
}

// readIDX reads the unsigned-byte IDX file dir/name(.gz) of the given rank and returns its
// data and dimensions.
func readIDX(dir, name string, rank int) ([]uint8, []int, error) {
	path := filepath.Join(dir, name+".gz")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		path = filepath.Join(dir, name)
		raw, err = os.ReadFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("fashion-mnist: %s(.gz) not found in %s: install the Debian package "+
			"with `apt-get install -y dataset-fashion-mnist` or point to a folder holding the IDX files", name, dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	header := 4 + 4*rank
	if len(raw) >= 4 && (raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08 || int(raw[3]) != rank) {
		return nil, nil, fmt.Errorf("read %s: not an unsigned-byte IDX file of rank %d (magic % x)", path, rank, raw[:4])
	}
	if len(raw) < header {
		return nil, nil, fmt.Errorf("read %s: IDX file too short (%d bytes)", path, len(raw))
	}
	dims := make([]int, rank)
	size := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(raw[4+4*i:]))
		size *= dims[i]
	}
	if len(raw)-header != size {
		return nil, nil, fmt.Errorf("read %s: dimensions %v need %d bytes of data, file has %d", path, dims, size, len(raw)-header)
	}
	return raw[header:], dims, nil
}

// Select returns the indices of the images to keep: all of them when limitPerClass <= 0,
// otherwise the first limitPerClass of each class.
func (m *FashionMNIST) Select(limitPerClass int) []int {
	counts := make([]int, len(FashionMNISTClassNames()))
	var keep []int
	for i, l := range m.Labels {
		if limitPerClass > 0 && counts[l] >= limitPerClass {
			continue
		}
		counts[l]++
		keep = append(keep, i)
	}
	return keep
}

// WriteImageFolder writes the images listed in indices as grey-level PNG files
// dir/<class>/<index>.png (ImageFolder layout), calling progress with 1 after each file from a
// single goroutine.
func (m *FashionMNIST) WriteImageFolder(ctx context.Context, dir string, indices []int, progress func(int)) error {
	classes := FashionMNISTClassNames()
	for _, class := range classes {
		if err := os.MkdirAll(filepath.Join(dir, class), 0o755); err != nil {
			return fmt.Errorf("fashion-mnist: %w", err)
		}
	}
	jobs := make([]exportJob, len(indices))
	for k, i := range indices {
		if i < 0 || i >= m.Len() {
			return fmt.Errorf("fashion-mnist: image index %d out of range [0, %d)", i, m.Len())
		}
		jobs[k] = exportJob{index: i, rel: classes[m.Labels[i]] + "/" + fmt.Sprintf("%05d.png", i)}
	}
	write := func(_ context.Context, job exportJob) error {
		img := &image.Gray{Pix: m.Image(job.index), Stride: m.Cols, Rect: image.Rect(0, 0, m.Cols, m.Rows)}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("encode image %d: %w", job.index, err)
		}
		return atomicfile.WriteFile(filepath.Join(dir, filepath.FromSlash(job.rel)), buf.Bytes())
	}
	if err := runExportJobs(ctx, jobs, runtime.GOMAXPROCS(0), write, progress); err != nil {
		return fmt.Errorf("fashion-mnist to %s: %w", dir, err)
	}
	return nil
}
