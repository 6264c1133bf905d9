//go:build cgo && !noastiav

package decode

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/asticode/go-astiav"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// Astiav decodes videos in process with libav (FFmpeg 5.1) through go-astiav. It is
// the default decoder of binaries built with cgo (the default) and needs the libav
// development packages at build time; build with -tags noastiav (or CGO_ENABLED=0) for a
// binary that uses the ffmpeg programs instead.
//
// Open reads the packets of the file once to index the frames' timestamps and key frames (no
// decoding, as decord does); Frames seeks to the key frame before each run of needed frames,
// decodes up to the last needed frame of the run (flushing the decoder at the end of the
// stream), converts only the needed frames to RGB and identifies frames by their timestamps,
// so that frame i is exactly frame i of a full decode. A packet the decoder rejects is an
// error, not a concealed picture. Cancelling the context interrupts pending file reads.
type Astiav struct {
	Options
}

// quietLibav silences libav's own log lines: errors reach the caller as Go errors instead.
// The log level is process-wide in libav, hence the Once.
var quietLibav sync.Once

// Name implements Decoder.
func (d *Astiav) Name() string { return "astiav" }

func (d *Astiav) withOptions(set func(o *Options)) Decoder {
	c := *d
	set(&c.Options)
	return &c
}

// Open implements Decoder.
func (d *Astiav) Open(ctx context.Context, path string) (Video, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	quietLibav.Do(func() { astiav.SetLogLevel(astiav.LogLevelQuiet) })
	v := &astiavVideo{dec: d, path: path}
	if err := v.openInput(); err != nil {
		return nil, err
	}
	defer v.watch(ctx)()
	if err := v.init(); err != nil {
		v.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return v, nil
}

type astiavVideo struct {
	dec       *Astiav
	path      string
	fc        *astiav.FormatContext
	opened    bool
	mu        sync.Mutex // guards interrupt, replaced when the file is reopened
	interrupt *int       // set to 1 to make libav's pending I/O fail
	stream    *astiav.Stream
	info      VideoInfo
	pts       []int64       // frame timestamps in presentation order; nil if unknown
	rank      map[int64]int // timestamp -> frame index
	keys      []int         // frame indices of the key frames, sorted; nil if pts is nil
}

// openInput opens v.path into a fresh format context, replacing (and closing) the current one.
func (v *astiavVideo) openInput() error {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return errors.New("libav: cannot allocate a format context")
	}
	interrupt := fc.SetInterruptCallback()
	if err := fc.OpenInput(v.path, nil, nil); err != nil {
		fc.Free()
		return fmt.Errorf("libav open: %w", err)
	}
	v.Close()
	v.mu.Lock()
	v.fc, v.opened, v.interrupt = fc, true, interrupt
	v.mu.Unlock()
	return nil
}

// watch interrupts libav's I/O when ctx is done, until the returned stop is called; stop
// waits for the watcher and clears the interrupt, so that later calls start afresh.
func (v *astiavVideo) watch(ctx context.Context) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			v.mu.Lock()
			*v.interrupt = 1
			v.mu.Unlock()
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-exited
		v.mu.Lock()
		*v.interrupt = 0
		v.mu.Unlock()
	}
}

func (v *astiavVideo) init() error {
	if err := v.fc.FindStreamInfo(nil); err != nil {
		return fmt.Errorf("libav stream info: %w", err)
	}
	if err := checkNotStillImage(v.fc.InputFormat().Name()); err != nil {
		return err
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
	if err := checkFrameSize(cp.Width(), cp.Height()); err != nil {
		return err
	}
	v.info.Width, v.info.Height = scaledSize(cp.Width(), cp.Height(), v.dec.ShortSide)
	if r := v.stream.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
		v.info.FPS = r.ToDouble()
	} else if r := v.stream.RFrameRate(); r.Num() > 0 && r.Den() > 0 {
		v.info.FPS = r.ToDouble()
	}
	// Index the frames by reading all packets of the stream. The frame count is the packet
	// count, whatever the header says (see VideoInfo).
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var pts, keyPTS []int64
	known := true
	n, corrupt := 0, -1
	for {
		if err := v.fc.ReadFrame(pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			return fmt.Errorf("libav read: %w", err)
		}
		if pkt.StreamIndex() == v.stream.Index() {
			if corrupt < 0 && pkt.Flags().Has(astiav.PacketFlagCorrupt) {
				corrupt = n
			}
			n++
			if p := pkt.Pts(); p != astiav.NoPtsValue {
				pts = append(pts, p)
				if pkt.Flags().Has(astiav.PacketFlagKey) {
					keyPTS = append(keyPTS, p)
				}
			} else {
				known = false
			}
		}
		pkt.Unref()
	}
	if n == 0 {
		return errors.New("no video frames")
	}
	if err := checkComplete(v.fc.InputFormat().Name(), v.stream.NbFrames(), n, corrupt); err != nil {
		return err
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
			for _, p := range keyPTS {
				v.keys = append(v.keys, v.rank[p])
			}
			sort.Ints(v.keys)
		} else {
			v.rank = nil
		}
	}
	return nil
}

func (v *astiavVideo) Info() VideoInfo { return v.info }

// reopen opens the file again, positioned at its start.
func (v *astiavVideo) reopen() error {
	idx := v.stream.Index()
	if err := v.openInput(); err != nil {
		return err
	}
	if err := v.fc.FindStreamInfo(nil); err != nil {
		return fmt.Errorf("libav stream info: %w", err)
	}
	if idx >= v.fc.NbStreams() {
		return errors.New("libav: the file changed since it was opened")
	}
	v.stream = v.fc.Streams()[idx]
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

// runs splits the sorted needed frames into runs decoded after one seek each: a new run
// starts where a key frame lies between two needed frames, since seeking to it is cheaper
// than decoding every frame up to it.
func (v *astiavVideo) runs(unique []int) [][]int {
	var out [][]int
	start := 0
	for k := 1; k < len(unique); k++ {
		// First key frame after the previous needed frame.
		j := sort.SearchInts(v.keys, unique[k-1]+1)
		if j < len(v.keys) && v.keys[j] <= unique[k] {
			out = append(out, unique[start:k])
			start = k
		}
	}
	return append(out, unique[start:])
}

// Frames implements Video.
func (v *astiavVideo) Frames(ctx context.Context, indices []int) (*media.Frames, error) {
	unique, err := uniqueSorted(indices, v.info.NumFrames)
	if err != nil {
		return nil, err
	}
	if v.fc == nil {
		return nil, errors.New("libav: video is closed")
	}
	defer v.watch(ctx)()
	size := v.info.Width * v.info.Height * 3
	buf := make([]uint8, len(unique)*size)
	want := make(map[int]int, len(unique)) // frame index -> position in buf
	for k, i := range unique {
		want[i] = k
	}
	got := 0
	if v.pts != nil {
		// Seek to the key frame before each run of needed frames and match frames by timestamp.
		for _, run := range v.runs(unique) {
			if _, ok := want[run[len(run)-1]]; !ok {
				continue // already decoded while decoding an earlier run
			}
			n, err := v.decode(ctx, v.pts[run[0]], run[len(run)-1], want, buf, size, true)
			got += n
			if err != nil {
				return nil, v.ctxErr(ctx, err)
			}
		}
	}
	if got < len(unique) {
		// No usable timestamps, or a seek missed frames: decode the rest from the start.
		n, err := v.decode(ctx, -1, unique[len(unique)-1], want, buf, size, v.pts != nil)
		got += n
		if err != nil {
			return nil, v.ctxErr(ctx, err)
		}
	}
	if got < len(unique) {
		return nil, fmt.Errorf("decoded %d of %d frames (last needed frame %d of %d; truncated or corrupt video?)",
			got, len(unique), unique[len(unique)-1], v.info.NumFrames)
	}
	return gatherFrames(indices, unique, buf, v.info.Height, v.info.Width), nil
}

// ctxErr prefers the context's error to the libav error it caused (an interrupted read).
func (v *astiavVideo) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// decode decodes from the key frame before timestamp from (or from the start of a freshly
// opened file when from < 0, since not every container seeks back reliably) until frame
// last has been seen, copying the wanted frames into buf and removing them from want. Frames
// are identified by timestamp when byPTS is set, else by their rank in decoding output
// order. It returns the number of frames copied.
func (v *astiavVideo) decode(ctx context.Context, from int64, last int, want map[int]int, buf []uint8, size int, byPTS bool) (int, error) {
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
	conv, err := newRGBConverter(cc, v.stream, v.info.Width, v.info.Height)
	if err != nil {
		return 0, err
	}
	defer conv.free()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	frame := astiav.AllocFrame()
	defer frame.Free()

	got, count := 0, 0
	// receive drains the decoder; it reports whether frame last was reached.
	receive := func() (bool, error) {
		for {
			if err := cc.ReceiveFrame(frame); err != nil {
				if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
					return false, nil
				}
				return false, fmt.Errorf("libav decode: corrupt frame data: %w", err)
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
			if len(want) == 0 || idx >= last {
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
			return got, fmt.Errorf("libav decode: corrupt frame data: %w", err)
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
	// err_detect=explode makes the decoder return an error for damaged data it would
	// otherwise conceal (a picture with guessed macroblocks), as the ffmpeg decoder's
	// -err_detect explode -xerror does.
	opts := astiav.NewDictionary()
	defer opts.Free()
	if err := opts.Set("err_detect", "explode", astiav.NewDictionaryFlags()); err != nil {
		cc.Free()
		return nil, fmt.Errorf("libav decoder options: %w", err)
	}
	if err := cc.Open(codec, opts); err != nil {
		cc.Free()
		return nil, fmt.Errorf("libav open decoder: %w", err)
	}
	return cc, nil
}

// rgbConverter converts decoded frames to packed RGB24 of a given size with a libavfilter
// graph (buffer -> [scale ->] format=rgb24 -> buffersink): the same swscale conversion the
// ffmpeg tool uses.
type rgbConverter struct {
	graph     *astiav.FilterGraph
	src, sink *astiav.FilterContext
	out       *astiav.Frame
}

func newRGBConverter(cc *astiav.CodecContext, s *astiav.Stream, w, h int) (*rgbConverter, error) {
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
	spec := "format=pix_fmts=rgb24"
	if w != cc.Width() || h != cc.Height() {
		spec = fmt.Sprintf("scale=%d:%d:flags=bicubic,", w, h) + spec
	}
	if err := c.graph.Parse(spec, inputs, outputs); err != nil {
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

// Default is the decoder used when none is given: in binaries built with cgo (and
// without the noastiav tag), the in-process libav decoder.
func Default() Decoder { return &Astiav{} }

func newAstiavDecoder() (Decoder, error) { return &Astiav{}, nil }
