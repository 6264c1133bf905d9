//go:build astiav

package datasets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/asticode/go-astiav"
)

// AstiavDecoder decodes videos in process with libav (FFmpeg 5.1) through go-astiav. It is
// built only with the astiav build tag and needs the libav development packages.
//
// Open reads the packets of the file once to index the frames' timestamps (no decoding, as
// decord does); Frames seeks to the key frame before the first needed frame, decodes up to
// the last needed one (flushing the decoder at the end of the stream) and identifies frames
// by their timestamps, so that frame i is exactly frame i of a full decode.
type AstiavDecoder struct {
	// Threads is the decoder's thread count; 0 lets libav choose.
	Threads int
}

// Name implements Decoder.
func (d *AstiavDecoder) Name() string { return "astiav" }

// Open implements Decoder.
func (d *AstiavDecoder) Open(ctx context.Context, path string) (Video, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, errors.New("libav: cannot allocate a format context")
	}
	v := &astiavVideo{dec: d, path: path, fc: fc}
	if err := fc.OpenInput(path, nil, nil); err != nil {
		fc.Free()
		return nil, fmt.Errorf("libav open: %w", err)
	}
	v.opened = true
	if err := v.init(); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

type astiavVideo struct {
	dec    *AstiavDecoder
	path   string
	fc     *astiav.FormatContext
	opened bool
	stream *astiav.Stream
	info   VideoInfo
	pts    []int64       // frame timestamps in presentation order; nil if unknown
	rank   map[int64]int // timestamp -> frame index
}

func (v *astiavVideo) init() error {
	if err := v.fc.FindStreamInfo(nil); err != nil {
		return fmt.Errorf("libav stream info: %w", err)
	}
	for _, s := range v.fc.Streams() {
		if s.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			v.stream = s
			break
		}
	}
	if v.stream == nil {
		return errors.New("no video stream")
	}
	cp := v.stream.CodecParameters()
	v.info.Width, v.info.Height = cp.Width(), cp.Height()
	if v.info.Width <= 0 || v.info.Height <= 0 {
		return fmt.Errorf("invalid frame size %dx%d", v.info.Width, v.info.Height)
	}
	if r := v.stream.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
		v.info.FPS = r.ToDouble()
	} else if r := v.stream.RFrameRate(); r.Num() > 0 && r.Den() > 0 {
		v.info.FPS = r.ToDouble()
	}
	// Index the frames by reading all packets of the stream.
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var pts []int64
	known := true
	n := 0
	for {
		if err := v.fc.ReadFrame(pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			return fmt.Errorf("libav read: %w", err)
		}
		if pkt.StreamIndex() == v.stream.Index() {
			n++
			if p := pkt.Pts(); p != astiav.NoPtsValue {
				pts = append(pts, p)
			} else {
				known = false
			}
		}
		pkt.Unref()
	}
	if n == 0 {
		return errors.New("no video frames")
	}
	if nb := v.stream.NbFrames(); nb > int64(n) {
		return fmt.Errorf("truncated video: the header announces %d frames, the file holds %d", nb, n)
	}
	v.info.NumFrames = n
	if known {
		sort.Slice(pts, func(a, b int) bool { return pts[a] < pts[b] })
		v.rank = make(map[int64]int, n)
		for i, p := range pts {
			v.rank[p] = i
		}
		if len(v.rank) == n {
			v.pts = pts
		} else {
			v.rank = nil
		}
	}
	return nil
}

func (v *astiavVideo) Info() VideoInfo { return v.info }

// reopen opens the file again, positioned at its start.
func (v *astiavVideo) reopen() error {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return errors.New("libav: cannot allocate a format context")
	}
	if err := fc.OpenInput(v.path, nil, nil); err != nil {
		fc.Free()
		return fmt.Errorf("libav open: %w", err)
	}
	if err := fc.FindStreamInfo(nil); err != nil {
		fc.CloseInput()
		fc.Free()
		return fmt.Errorf("libav stream info: %w", err)
	}
	idx := v.stream.Index()
	if idx >= fc.NbStreams() {
		fc.CloseInput()
		fc.Free()
		return errors.New("libav: the file changed since it was opened")
	}
	v.Close()
	v.fc, v.opened, v.stream = fc, true, fc.Streams()[idx]
	return nil
}

func (v *astiavVideo) Close() error {
	if v.fc != nil {
		if v.opened {
			v.fc.CloseInput()
		}
		v.fc.Free()
		v.fc = nil
	}
	return nil
}

// Frames implements Video.
func (v *astiavVideo) Frames(ctx context.Context, indices []int) (*Frames, error) {
	unique, err := uniqueSorted(indices, v.info.NumFrames)
	if err != nil {
		return nil, err
	}
	size := v.info.Width * v.info.Height * 3
	buf := make([]uint8, len(unique)*size)
	want := make(map[int]int, len(unique)) // frame index -> position in buf
	for k, i := range unique {
		want[i] = k
	}
	got := 0
	if v.pts != nil {
		// Seek to the key frame before the first needed frame and match frames by timestamp.
		n, err := v.decode(ctx, v.pts[unique[0]], want, buf, size, true)
		if err != nil {
			return nil, err
		}
		got += n
	}
	if got < len(unique) {
		// No usable timestamps, or the seek missed frames: decode the rest from the start.
		n, err := v.decode(ctx, -1, want, buf, size, v.pts != nil)
		if err != nil {
			return nil, err
		}
		got += n
	}
	if got < len(unique) {
		return nil, fmt.Errorf("decoded %d of %d frames (last needed frame %d of %d; truncated or corrupt video?)",
			got, len(unique), unique[len(unique)-1], v.info.NumFrames)
	}
	return gatherFrames(indices, unique, buf, v.info.Height, v.info.Width), nil
}

// decode decodes from the key frame before timestamp from (or from the start of a freshly
// opened file when from < 0, since not every container seeks back reliably),
// copying the wanted frames into buf and removing them from want. Frames are identified by timestamp when byPTS is set,
// else by their rank in decoding output order. It returns the number of frames copied.
func (v *astiavVideo) decode(ctx context.Context, from int64, want map[int]int, buf []uint8, size int, byPTS bool) (int, error) {
	if from >= 0 {
		if err := v.fc.SeekFrame(v.stream.Index(), from, astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
			return 0, fmt.Errorf("libav seek: %w", err)
		}
	} else if err := v.reopen(); err != nil {
		return 0, err
	}
	cc, err := v.openCodec()
	if err != nil {
		return 0, err
	}
	defer cc.Free()
	conv, err := newRGBConverter(cc, v.stream)
	if err != nil {
		return 0, err
	}
	defer conv.free()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	frame := astiav.AllocFrame()
	defer frame.Free()

	got, count := 0, 0
	maxIdx := -1
	for i := range want {
		maxIdx = max(maxIdx, i)
	}
	// receive drains the decoder; it reports whether every wanted frame was found.
	receive := func() (bool, error) {
		for {
			if err := cc.ReceiveFrame(frame); err != nil {
				if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
					return false, nil
				}
				return false, fmt.Errorf("libav decode: %w", err)
			}
			idx := count
			if byPTS {
				var ok bool
				if idx, ok = v.rank[frame.Pts()]; !ok {
					frame.Unref()
					continue
				}
			}
			count++
			if k, ok := want[idx]; ok {
				if err := conv.convert(frame, buf[k*size:(k+1)*size]); err != nil {
					return false, err
				}
				delete(want, idx)
				got++
			}
			frame.Unref()
			if len(want) == 0 || idx >= maxIdx {
				return true, nil
			}
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return got, err
		}
		if err := v.fc.ReadFrame(pkt); err != nil {
			if !errors.Is(err, astiav.ErrEof) {
				return got, fmt.Errorf("libav read: %w", err)
			}
			// End of stream: flush the decoder, or the last frames are lost.
			if err := cc.SendPacket(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
				return got, fmt.Errorf("libav flush: %w", err)
			}
			_, err := receive()
			return got, err
		}
		if pkt.StreamIndex() != v.stream.Index() {
			pkt.Unref()
			continue
		}
		err := cc.SendPacket(pkt)
		pkt.Unref()
		if err != nil && !errors.Is(err, astiav.ErrEagain) {
			return got, fmt.Errorf("libav decode: %w", err)
		}
		done, err := receive()
		if err != nil || done {
			return got, err
		}
	}
}

func (v *astiavVideo) openCodec() (*astiav.CodecContext, error) {
	cp := v.stream.CodecParameters()
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return nil, fmt.Errorf("libav: no decoder for codec %v", cp.CodecID())
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("libav: cannot allocate a codec context")
	}
	if err := cp.ToCodecContext(cc); err != nil {
		cc.Free()
		return nil, fmt.Errorf("libav codec parameters: %w", err)
	}
	if v.dec.Threads > 0 {
		cc.SetThreadCount(v.dec.Threads)
	}
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		return nil, fmt.Errorf("libav open decoder: %w", err)
	}
	return cc, nil
}

// rgbConverter converts decoded frames to packed RGB24 with a libavfilter graph
// (buffer -> format=rgb24 -> buffersink): the same swscale conversion the ffmpeg tool uses.
type rgbConverter struct {
	graph     *astiav.FilterGraph
	src, sink *astiav.FilterContext
	out       *astiav.Frame
}

func newRGBConverter(cc *astiav.CodecContext, s *astiav.Stream) (*rgbConverter, error) {
	c := &rgbConverter{graph: astiav.AllocFilterGraph(), out: astiav.AllocFrame()}
	fail := func(err error) (*rgbConverter, error) {
		c.free()
		return nil, fmt.Errorf("libav filter: %w", err)
	}
	sar := cc.SampleAspectRatio()
	if sar.Num() == 0 || sar.Den() == 0 {
		sar = astiav.NewRational(0, 1)
	}
	var err error
	c.src, err = c.graph.NewFilterContext(astiav.FindFilterByName("buffer"), "in", astiav.FilterArgs{
		"pix_fmt":      strconv.Itoa(int(cc.PixelFormat())),
		"pixel_aspect": sar.String(),
		"time_base":    s.TimeBase().String(),
		"video_size":   strconv.Itoa(cc.Width()) + "x" + strconv.Itoa(cc.Height()),
	})
	if err != nil {
		return fail(err)
	}
	if c.sink, err = c.graph.NewFilterContext(astiav.FindFilterByName("buffersink"), "out", nil); err != nil {
		return fail(err)
	}
	outputs, inputs := astiav.AllocFilterInOut(), astiav.AllocFilterInOut()
	defer outputs.Free()
	defer inputs.Free()
	outputs.SetName("in")
	outputs.SetFilterContext(c.src)
	outputs.SetPadIdx(0)
	outputs.SetNext(nil)
	inputs.SetName("out")
	inputs.SetFilterContext(c.sink)
	inputs.SetPadIdx(0)
	inputs.SetNext(nil)
	if err := c.graph.Parse("format=pix_fmts=rgb24", inputs, outputs); err != nil {
		return fail(err)
	}
	if err := c.graph.Configure(); err != nil {
		return fail(err)
	}
	return c, nil
}

// convert writes frame f as packed RGB24 into dst (width*height*3 bytes).
func (c *rgbConverter) convert(f *astiav.Frame, dst []uint8) error {
	if err := c.src.BuffersrcAddFrame(f, astiav.NewBuffersrcFlags(astiav.BuffersrcFlagKeepRef)); err != nil {
		return fmt.Errorf("libav filter: %w", err)
	}
	c.out.Unref()
	if err := c.sink.BuffersinkGetFrame(c.out, astiav.NewBuffersinkFlags()); err != nil {
		return fmt.Errorf("libav filter: %w", err)
	}
	defer c.out.Unref()
	n, err := c.out.ImageBufferSize(1)
	if err != nil || n != len(dst) {
		return fmt.Errorf("libav filter: RGB frame of %d bytes, want %d (frame size changed?)", n, len(dst))
	}
	if _, err := c.out.ImageCopyToBuffer(dst, 1); err != nil {
		return fmt.Errorf("libav filter: %w", err)
	}
	return nil
}

func (c *rgbConverter) free() {
	if c.out != nil {
		c.out.Free()
	}
	if c.graph != nil {
		c.graph.Free()
	}
}

// DefaultDecoder is the decoder used when none is given: in binaries built with the astiav
// tag, the in-process libav decoder.
func DefaultDecoder() Decoder { return &AstiavDecoder{} }

func newAstiavDecoder() (Decoder, error) { return &AstiavDecoder{}, nil }
