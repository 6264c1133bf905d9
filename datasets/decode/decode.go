package decode

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// VideoInfo describes the video stream of a file.
//
// Frame indices follow decord's VideoReader, the official loader: NumFrames is the number of
// coded frames of the stream (its packets, len(VideoReader)) and frame i is the i-th of them
// in presentation order (get_batch([i])). Header fields that disagree with the stream (an AVI
// frame count that includes empty "repeat the previous frame" chunks, a wrong nb_frames, a
// missing duration) are ignored. On a variable-frame-rate file, or an AVI with repeated
// frames, consecutive indices are therefore consecutive pictures, not equal steps of time: a
// frame step of 4 skips 3 coded pictures whatever their display times, exactly as decord does.
type VideoInfo struct {
	// NumFrames is the number of coded frames (the official code's len(VideoReader)).
	NumFrames int
	// FPS is the average frame rate (VideoReader.get_avg_fps).
	FPS float64
	// Width and Height are the size of the frames Frames returns: the stream's coded size
	// (rotation metadata is ignored, as decord does), or the resized one of a decoder made
	// with WithShortSide.
	Width, Height int
}

// Video is an opened video file.
type Video interface {
	// Info describes the video stream.
	Info() VideoInfo
	// Frames decodes the frames with the given indices (0-based, in presentation order; any
	// order, repeats allowed) into uint8 RGB [len(indices)][H][W][3]. Frame i is the same
	// as frame i of a full decode of the file.
	Frames(ctx context.Context, indices []int) (*media.Frames, error)
	// Close releases the file.
	Close() error
}

// Decoder opens video files.
type Decoder interface {
	// Open opens path and reads its stream description.
	Open(ctx context.Context, path string) (Video, error)
	// Name names the implementation ("ffmpeg" or "astiav").
	Name() string
}

// MaxFramePixels bounds the frame size a decoder accepts (8K UHD, 7680×4320): a larger or
// zero-sized frame is refused when the file is opened, so that a corrupt or hostile header
// cannot make the loader allocate unbounded memory.
const MaxFramePixels = 7680 * 4320

// checkFrameSize refuses zero-sized, negative and oversized frames.
func checkFrameSize(w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("invalid frame size %dx%d", w, h)
	case w > 1<<16 || h > 1<<16 || w*h > MaxFramePixels:
		return fmt.Errorf("frame size %dx%d exceeds the limit of %d pixels (8K)", w, h, MaxFramePixels)
	}
	return nil
}

// checkNotStillImage refuses files that libavformat opens as a single still image (a JPEG or
// PNG renamed .mp4): their demuxers are image2 and the *_pipe image readers.
func checkNotStillImage(format string) error {
	if format == "image2" || strings.HasSuffix(format, "_pipe") {
		return fmt.Errorf("a still image (%s), not a video", format)
	}
	return nil
}

// indexedFormats are the containers whose stream frame count is the length of the sample
// index that locates every frame's data (MP4's stsz), not a header field: fewer packets than
// that means the file was cut. AVI's header count, which includes empty "repeat" chunks, is
// not one of them.
var indexedFormats = map[string]bool{"mov,mp4,m4a,3gp,3g2,mj2": true}

// checkComplete refuses a file of an indexed format whose data holds fewer frames than its
// index lists, and a stream whose demuxer flagged a packet as corrupt.
func checkComplete(format string, indexed int64, packets int, corrupt int) error {
	if indexedFormats[format] && indexed > int64(packets) {
		return fmt.Errorf("truncated file: its index lists %d frames, the data holds %d", indexed, packets)
	}
	if corrupt >= 0 {
		return fmt.Errorf("corrupt packet for frame %d (flagged by the demuxer)", corrupt)
	}
	return nil
}

// uniqueSorted returns the distinct indices in increasing order, after checking that they
// lie in [0, n).
func uniqueSorted(indices []int, n int) ([]int, error) {
	if len(indices) == 0 {
		return nil, fmt.Errorf("no frame indices")
	}
	u := make([]int, 0, len(indices))
	seen := make(map[int]bool, len(indices))
	for _, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("frame index %d out of range [0, %d)", i, n)
		}
		if !seen[i] {
			seen[i] = true
			u = append(u, i)
		}
	}
	sort.Ints(u)
	return u, nil
}

// gatherFrames builds the Frames for indices from decoded, which holds the frames of
// unique (sorted, distinct) one after the other.
func gatherFrames(indices, unique []int, decoded []uint8, h, w int) *media.Frames {
	size := h * w * 3
	pos := make(map[int]int, len(unique))
	for k, i := range unique {
		pos[i] = k
	}
	f := &media.Frames{T: len(indices), H: h, W: w, Pix: make([]uint8, len(indices)*size)}
	for t, i := range indices {
		k := pos[i]
		copy(f.Pix[t*size:(t+1)*size], decoded[k*size:(k+1)*size])
	}
	return f
}

// New returns the decoder named name: "ffmpeg" (the command-line tools), "astiav"
// (in-process libav, built in unless the binary is built without cgo or with the noastiav
// tag) or "" for Default.
func New(name string) (Decoder, error) {
	switch name {
	case "":
		return Default(), nil
	case "ffmpeg":
		return &FFmpeg{}, nil
	case "astiav":
		return newAstiavDecoder()
	}
	return nil, fmt.Errorf("unknown video decoder %q (want ffmpeg or astiav)", name)
}

// Options are the settings both decoders share.
type Options struct {
	// Threads is the decoder's thread count (ffmpeg's -threads, libav's thread_count); 0 lets
	// the library choose.
	Threads int
	// ShortSide, when > 0, resizes the frames to that shorter side (see WithShortSide).
	ShortSide int
}

// configurable is a decoder built on Options.
type configurable interface {
	// withOptions returns a copy of the decoder with its Options changed by set.
	withOptions(set func(o *Options)) Decoder
}

// withOption returns a copy of d with its Options changed by set, or d itself when it has no
// Options.
func withOption(d Decoder, set func(o *Options)) Decoder {
	if c, ok := d.(configurable); ok {
		return c.withOptions(set)
	}
	return d
}

// WithThreads returns a copy of d that decodes with n threads (0: the library's choice);
// decoders without a thread setting are returned unchanged. One thread per loader worker is
// the efficient setting when every core runs a worker.
func WithThreads(d Decoder, n int) Decoder {
	return withOption(d, func(o *Options) { o.Threads = n })
}

// WithShortSide returns a copy of d that resizes every frame, on the way out of the decoder
// (swscale bicubic, in the same pass as the RGB conversion), so that its shorter side is n
// pixels and its aspect ratio is kept, like decord's VideoReader(width=, height=); n = 0
// keeps the coded size. Resizing a 1080p stream to the 256-pixel short side a 224 crop needs
// divides the RGB conversion and transform work by ~18. Decoders without the option are
// returned unchanged.
func WithShortSide(d Decoder, n int) Decoder {
	return withOption(d, func(o *Options) { o.ShortSide = n })
}

// scaledSize is the size of a w×h frame resized to a shorter side of short (0: unchanged).
func scaledSize(w, h, short int) (int, int) {
	if short <= 0 || min(w, h) == short {
		return w, h
	}
	if w <= h {
		return short, max(1, int(math.Round(float64(h)*float64(short)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(short)/float64(h)))), short
}
