package decode

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // register JPEG for image.Decode
	_ "image/png"  // register PNG for image.Decode
	"io"
	"os"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// ImageFile decodes a JPEG or PNG file (recognised by content, not by name) into a
// one-frame uint8 RGB Frames; a zero-sized image or one larger than MaxFramePixels is refused
// from its header, before any pixel is allocated. Alpha is dropped without premultiplication and grey or CMYK
// images are converted to RGB, as PIL's convert("RGB") does.
func ImageFile(path string) (*media.Frames, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read the header first, so that a corrupt or hostile size is refused before the pixels
	// are allocated.
	r := bufio.NewReader(f)
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		if err == image.ErrFormat {
			return nil, fmt.Errorf("decode image: unsupported format (JPEG and PNG are supported)")
		}
		return nil, fmt.Errorf("decode %s image: %w", formatName(format), err)
	}
	if err := checkFrameSize(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("decode %s image: %w", format, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	r.Reset(f)
	img, format, err := image.Decode(r)
	if err != nil {
		if err == image.ErrFormat {
			return nil, fmt.Errorf("decode image: unsupported format (JPEG and PNG are supported)")
		}
		return nil, fmt.Errorf("decode %s image: %w", formatName(format), err)
	}
	return imageToFrames(img), nil
}

func formatName(f string) string {
	if f == "" {
		return "unknown"
	}
	return f
}

// imageToFrames converts an image to one RGB frame.
func imageToFrames(img image.Image) *media.Frames {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	fr := &media.Frames{T: 1, H: h, W: w, Pix: make([]uint8, h*w*3)}
	put := func(x, y int, r, g, bl uint8) {
		k := 3 * (y*w + x)
		fr.Pix[k], fr.Pix[k+1], fr.Pix[k+2] = r, g, bl
	}
	switch m := img.(type) {
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				put(x, y, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				put(x, y, row[x], row[x], row[x])
			}
		}
	case *image.YCbCr, *image.RGBA:
		rgba, ok := img.(*image.RGBA)
		if !ok {
			rgba = image.NewRGBA(b)
			draw.Draw(rgba, b, img, b.Min, draw.Src)
		}
		for y := range h {
			row := rgba.Pix[rgba.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				put(x, y, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	default:
		for y := range h {
			for x := range w {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				put(x, y, c.R, c.G, c.B)
			}
		}
	}
	return fr
}
