package datasets

import (
	"context"
	"fmt"
	"sort"
)

// VideoInfo describes the video stream of a file.
type VideoInfo struct {
	// NumFrames is the number of frames (the official code's len(VideoReader)).
	NumFrames int
	// FPS is the average frame rate (VideoReader.get_avg_fps).
	FPS float64
	// Width and Height are the decoded frame size (rotation metadata is ignored, as decord does).
	Width, Height int
}

// Video is an opened video file.
type Video interface {
	// Info describes the video stream.
	Info() VideoInfo
	// Frames decodes the frames with the given indices (0-based, in presentation order; any
	// order, repeats allowed) into uint8 RGB [len(indices)][H][W][3]. Frame i is the same
	// as frame i of a full decode of the file.
	Frames(ctx context.Context, indices []int) (*Frames, error)
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
func gatherFrames(indices, unique []int, decoded []uint8, h, w int) *Frames {
	size := h * w * 3
	pos := make(map[int]int, len(unique))
	for k, i := range unique {
		pos[i] = k
	}
	f := &Frames{T: len(indices), H: h, W: w, Pix: make([]uint8, len(indices)*size)}
	for t, i := range indices {
		k := pos[i]
		copy(f.Pix[t*size:(t+1)*size], decoded[k*size:(k+1)*size])
	}
	return f
}

// FramesToClip converts uint8 frames [T][H][W][3] to a float32 clip [3][T][H][W] with
// values 0..255 and no other change: the identity transform.
func FramesToClip(f *Frames) Clip {
	plane := f.T * f.H * f.W
	c := Clip{T: f.T, H: f.H, W: f.W, Data: make([]float32, 3*plane)}
	for p := range plane {
		c.Data[p] = float32(f.Pix[3*p])
		c.Data[plane+p] = float32(f.Pix[3*p+1])
		c.Data[2*plane+p] = float32(f.Pix[3*p+2])
	}
	return c
}

// NewDecoder returns the decoder named name: "ffmpeg" (the command-line tools), "astiav"
// (in-process libav, only in binaries built with the astiav tag) or "" for DefaultDecoder.
func NewDecoder(name string) (Decoder, error) {
	switch name {
	case "":
		return DefaultDecoder(), nil
	case "ffmpeg":
		return &FFmpegDecoder{}, nil
	case "astiav":
		return newAstiavDecoder()
	}
	return nil, fmt.Errorf("unknown video decoder %q (want ffmpeg or astiav)", name)
}
