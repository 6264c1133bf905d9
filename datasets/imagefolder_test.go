package datasets

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func writePNG(t testing.TB, path string, w, h int, c color.Color) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
}

func writeJPEG(t testing.TB, path string, w, h int) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for k := range img.Pix {
		img.Pix[k] = 128
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, jpeg.Encode(f, img, nil))
	require.NoError(t, f.Close())
}

// makeImageFolder writes root/{train,val}/{cat,ant,dog}/... and returns root.
func makeImageFolder(t testing.TB) string {
	root := t.TempDir()
	writePNG(t, filepath.Join(root, "train", "cat", "b.png"), 6, 4, color.NRGBA{10, 20, 30, 40})
	writePNG(t, filepath.Join(root, "train", "cat", "a.PNG"), 6, 4, color.NRGBA{1, 2, 3, 255})
	writeJPEG(t, filepath.Join(root, "train", "ant", "z", "x.jpg"), 8, 8)
	writeJPEG(t, filepath.Join(root, "train", "ant", "y.jpeg"), 8, 8)
	writeFile(t, filepath.Join(root, "train", "ant", "notes.txt"), "not an image")
	writePNG(t, filepath.Join(root, "train", "dog", "d.png"), 6, 4, color.NRGBA{0, 0, 0, 255})
	writeFile(t, filepath.Join(root, "train", "dog", "broken.jpg"), "garbage")
	writePNG(t, filepath.Join(root, "val", "ant", "v.png"), 6, 4, color.NRGBA{0, 0, 0, 255})
	writePNG(t, filepath.Join(root, "val", "cat", "v.png"), 6, 4, color.NRGBA{0, 0, 0, 255})
	writePNG(t, filepath.Join(root, "val", "dog", "v.png"), 6, 4, color.NRGBA{0, 0, 0, 255})
	return root
}

func TestImageFolderOrder(t *testing.T) {
	root := makeImageFolder(t)
	d, err := NewImageFolder(ImageFolderOptions{Root: root, Split: "train"})
	require.NoError(t, err)
	require.Equal(t, []string{"ant", "cat", "dog"}, d.Classes())
	require.Equal(t, 3, d.NumClasses())
	tr := filepath.Join(root, "train")
	require.Equal(t, []ImageEntry{
		{filepath.Join(tr, "ant", "y.jpeg"), 0},
		{filepath.Join(tr, "ant", "z", "x.jpg"), 0},
		{filepath.Join(tr, "cat", "a.PNG"), 1},
		{filepath.Join(tr, "cat", "b.png"), 1},
		{filepath.Join(tr, "dog", "broken.jpg"), 2},
		{filepath.Join(tr, "dog", "d.png"), 2},
	}, d.Entries())
}

func TestImageFolderSample(t *testing.T) {
	root := makeImageFolder(t)
	d, err := NewImageFolder(ImageFolderOptions{Root: root, Split: "train", NumFrames: 4})
	require.NoError(t, err)
	ctx := context.Background()

	s, err := d.Sample(ctx, 3, nil) // b.png: alpha is dropped, not premultiplied
	require.NoError(t, err)
	require.Equal(t, 1, s.Label)
	c := s.Views[0][0]
	require.Equal(t, [3]int{4, 4, 6}, [3]int{c.T, c.H, c.W})
	plane := c.T * c.H * c.W
	for k := range plane {
		require.Equal(t, float32(10), c.Data[k])
		require.Equal(t, float32(20), c.Data[plane+k])
		require.Equal(t, float32(30), c.Data[2*plane+k])
	}

	s, err = d.Sample(ctx, 0, nil) // grey JPEG
	require.NoError(t, err)
	require.InDelta(t, 128, s.Views[0][0].Data[0], 1)

	// Views from a multi-view transform are repeated along time too.
	mv, err := NewImageFolder(ImageFolderOptions{Root: root, Split: "val", NumFrames: 3, MultiView: viewsTransform{2}})
	require.NoError(t, err)
	s, err = mv.Sample(ctx, 2, nil)
	require.NoError(t, err)
	require.Equal(t, 2, s.Label)
	require.Len(t, s.Views, 2)
	require.Equal(t, 3, s.Views[1][0].T)
	require.Equal(t, float32(1), s.Views[1][0].Data[3*4*6*3-1])

	// An image pipeline gives one view, repeated along time.
	it, err := NewImageFolder(ImageFolderOptions{Root: root, Split: "val", NumFrames: 5, Image: halfImage{}})
	require.NoError(t, err)
	s, err = it.Sample(ctx, 0, nil)
	require.NoError(t, err)
	c = s.Views[0][0]
	require.Equal(t, [3]int{5, 2, 3}, [3]int{c.T, c.H, c.W})

	_, err = d.Sample(ctx, 4, nil)
	require.Error(t, err)
	require.True(t, IsSampleError(err))
	require.Contains(t, err.Error(), "broken.jpg: ")
}

func TestImageFolderErrors(t *testing.T) {
	root := makeImageFolder(t)
	_, err := NewImageFolder(ImageFolderOptions{Root: root, Split: "test"})
	require.Error(t, err)
	_, err = NewImageFolder(ImageFolderOptions{Root: root})
	require.Error(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "val", "empty"), 0o755))
	_, err = NewImageFolder(ImageFolderOptions{Root: root, Split: "val"})
	require.Error(t, err)
	require.Contains(t, err.Error(), `class "empty" has no image files`)
}

// halfImage is a transform.Image keeping the top-left quarter of the image.
type halfImage struct{}

func (halfImage) ApplyImage(f *media.Frames, _ *rand.Rand) (media.Clip, error) {
	h, w := f.H/2, f.W/2
	out := &media.Frames{T: 1, H: h, W: w, Pix: make([]uint8, h*w*3)}
	for y := range h {
		copy(out.Pix[y*w*3:(y+1)*w*3], f.Pix[y*f.W*3:])
	}
	return media.FramesToClip(out), nil
}
