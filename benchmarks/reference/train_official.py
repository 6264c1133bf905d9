#!/usr/bin/env python3
"""Pretrain with the OFFICIAL V-JEPA code on the recipe of vjepa-go's `cpu-default` config.

The official facebookresearch/jepa tree is imported from $JEPA_SRC (default: jepa-src next to
this file); nothing from it is copied or edited, and no Go code is copied either. The
hyper-parameters come from the Go project's YAML (official layout, read with PyYAML):
pretrain/configs/cpu-default.yaml of a vjepa-go checkout by default (--config).

What runs, in the order of app/vjepa/train.py:main():
  * models: app/vjepa/utils.py:init_video_model(). The YAML's `model.depth` (a vjepa-go
    extension: vit_tiny with 4 blocks) is applied by calling the official `vit_tiny` preset
    with only `depth` replaced in its VisionTransformer(...) call;
  * masks: src/masks/multiblock3d.py:MaskCollator with the YAML's two mask configs;
  * data: src/datasets/data_manager.py:init_data() -> the official VideoDataset, sampler and
    DataLoader, on videos that `vjepa data export` writes from the Go project's built-in sets
    (decoded through a small stand-in for the `decord` module, see FFmpegVideoReader);
  * transforms: app/vjepa/transforms.py:make_transforms() with the YAML's data_aug
    (--data-mode official), or ImageNet normalisation only (--data-mode go, default);
  * optimiser and schedules: app/vjepa/utils.py:init_opt(); EMA momentum generator as in
    train.py;
  * the training loop of train.py, statement by statement (comments name the official lines);
  * the checkpoint dict of train.py's save_checkpoint(), keys prefixed 'module.' as
    DistributedDataParallel writes them.

Data modes (see README.md, "train_official.py"):
  go        the clips vjepa-go's pretraining actually sees: its built-in sets are rendered
            at num_frames x crop_size (8 x 64 x 64, the whole object trajectory) and only
            normalised (pretrain/data.go: OpenData applies the data_aug transform to list
            files only). Exported with --frames 8; the official VideoDataset reads them with
            frame_step 1 (frames 0..7) and the transform is the official normalisation alone.
  official  the YAML read literally by the official code: clips exported with
            --frames num_frames*sampling_rate = 32 (same trajectory, 32 frames), sampled by the
            official VideoDataset at frame step 4 (frames 0,4,9,13,18,22,27,31), then the
            official pretraining transform (random resized crop scale/aspect from data_aug,
            horizontal flip, ImageNet normalisation).

Outputs in --out: official-cpu-default.pth.tar (official training checkpoint), train_log.csv
(one row per step), jepa_r0.csv (the official CSVLogger columns), run_config.json.
"""
import argparse
import copy
import datetime
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
import types
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
os.environ.setdefault('JEPA_SRC', os.path.join(HERE, 'jepa-src'))
from refkit import host, official  # noqa: E402

DEFAULT_CONFIG = os.path.join(os.environ.get('VJEPA_REPO', '.'), 'pretrain', 'configs', 'cpu-default.yaml')
CKPT_NAME = 'official-cpu-default.pth.tar'
# Same allocator setting as bench_official.py: reuse freed memory instead of a fresh mmap
# (and ~8 us page faults per 4 KiB in this VM) for every large activation.
MALLOC_ENV = {'MALLOC_MMAP_MAX_': '0', 'MALLOC_TRIM_THRESHOLD_': str(1 << 40)}
# Training-split sizes of vjepa-go's built-in sets (datasets/synthetic.go: DefaultSyntheticTrainSize
# = 2000; synthetic-scenes has trainSize 4*2000). Its pretraining concatenates them unweighted
# and shuffles, so each batch is on average 1/6 motion, 1/6 appearance, 2/3 scenes.
GO_TRAIN_SIZES = {'synthetic-motion': 2000, 'synthetic-appearance': 2000, 'synthetic-scenes': 8000}


# --------------------------------------------------------------------------------------------
# Stand-in for the `decord` module (not packaged for Debian). src/datasets/video_dataset.py does
# `from decord import VideoReader, cpu` at import time and then only uses VideoReader(fname,
# num_threads=-1, ctx=cpu(0)), len(vr), vr.get_avg_fps(), vr.seek(0) and
# vr.get_batch(indices).asnumpy() -> uint8 [T,H,W,3] RGB. Installed at module level because
# spawned DataLoader workers (train.py uses the 'spawn' start method) re-import this file.
# --------------------------------------------------------------------------------------------
def decode_rgb24(path):
    """All frames of a video as uint8 [T,H,W,3] RGB, and its average frame rate.

    PyAV (ffmpeg's libraries, in process) when importable, else the ffmpeg program writing PPM
    frames to a pipe. On the exported H.264 yuv444p clips both give bit-identical frames
    (checked on 20 clips), PyAV ~20x faster (no process start per clip)."""
    try:
        import av
    except ImportError:
        av = None
    if av is not None:
        with av.open(path) as container:
            stream = container.streams.video[0]
            fps = float(stream.average_rate) if stream.average_rate else 30.0
            frames = [f.to_ndarray(format='rgb24') for f in container.decode(stream)]
        return np.stack(frames), fps
    out = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-i', path, '-f', 'image2pipe',
                          '-vcodec', 'ppm', '-'], capture_output=True, check=True).stdout
    frames, i = [], 0
    while i < len(out):  # PPM: "P6" <ws> width <ws> height <ws> 255 <one ws> pixels
        fields, j = [], i
        while len(fields) < 4:
            while out[j:j + 1].isspace():
                j += 1
            k = j
            while not out[k:k + 1].isspace():
                k += 1
            fields.append(out[j:k])
            j = k
        j += 1
        w, h = int(fields[1]), int(fields[2])
        frames.append(np.frombuffer(out[j:j + w * h * 3], np.uint8).reshape(h, w, 3))
        i = j + w * h * 3
    return np.stack(frames), 30.0


class _DecordBatch:
    def __init__(self, array):
        self._array = array

    def asnumpy(self):
        return self._array


class FFmpegVideoReader:
    """The part of decord.VideoReader that the official VideoDataset uses."""

    def __init__(self, uri, num_threads=0, ctx=None, **_):
        try:
            self._frames, self._fps = decode_rgb24(uri)
        except Exception as e:  # the official loader swallows it and draws another clip
            print(f'decode failed: {uri}: {e!r}', file=sys.stderr, flush=True)
            raise

    def __len__(self):
        return len(self._frames)

    def get_avg_fps(self):
        return self._fps

    def seek(self, pos):
        pass

    def get_batch(self, indices):
        return _DecordBatch(self._frames[np.asarray(indices, dtype=np.int64)])


if 'decord' not in sys.modules:
    sys.modules['decord'] = types.SimpleNamespace(VideoReader=FFmpegVideoReader,
                                                  cpu=lambda device_id=0: device_id)
JEPA_SRC = official.import_source()


class NormalizeOnly:
    """--data-mode go: the official VideoTransform without its random crop and flip.

    Same statements as VideoTransform.__call__ with auto_augment=False: uint8 [T,H,W,C] ->
    float32, permute to [C,T,H,W], then the official _tensor_normalize_inplace with the
    ImageNet mean/std scaled by 255."""

    def __init__(self, normalize=((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))):
        import torch
        self.mean = torch.tensor(normalize[0], dtype=torch.float32) * 255.
        self.std = torch.tensor(normalize[1], dtype=torch.float32) * 255.

    def __call__(self, buffer):
        import torch
        from app.vjepa.transforms import _tensor_normalize_inplace
        buffer = torch.tensor(buffer, dtype=torch.float32)
        buffer = buffer.permute(3, 0, 1, 2)  # T H W C -> C T H W
        return _tensor_normalize_inplace(buffer, self.mean, self.std)


# --------------------------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument('--out', required=True, help='run folder (created)')
    ap.add_argument('--config', default=DEFAULT_CONFIG, help='pretraining YAML (official layout)')
    ap.add_argument('--steps', type=int, default=None,
                    help='stop after this many steps (default: ipe*epochs = 280); the schedules '
                         'still span ipe_scale*epochs*ipe steps, as in vjepa-go --max-steps')
    ap.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    ap.add_argument('--seed', type=int, default=None, help='meta.seed (default: from the YAML, 234)')
    ap.add_argument('--data', required=True,
                    help='folder of exported clips; missing sets are exported into it')
    ap.add_argument('--data-mode', choices=['go', 'official'], default='go',
                    help="'go': the frames vjepa-go's pretraining sees (8 rendered frames, no "
                         "augmentation); 'official': 32-frame exports, frame step 4, official "
                         "data_aug transform")
    ap.add_argument('--data-seed', type=int, default=None,
                    help='seed of the built-in sets (default: --seed, as vjepa-go pretrain does)')
    ap.add_argument('--clips', type=int, default=None,
                    help='clips to use in all, split 1:1:4 like the Go mixture (default: '
                         'ipe*epochs*batch_size = 6720, so 280 steps see every clip once)')
    ap.add_argument('--workers', type=int, default=0,
                    help='DataLoader workers (the YAML says 2; 0 keeps the 2-core box from '
                         'being oversubscribed and makes the run deterministic)')
    ap.add_argument('--vjepa', default=None,
                    help='vjepa binary for `data export` and the encode check (default: $VJEPA, '
                         'else `vjepa` on PATH)')
    ap.add_argument('--go-check', action=argparse.BooleanOptionalAction, default=True,
                    help='after training, run `vjepa encode` on the checkpoint and compare with '
                         'the PyTorch target encoder')
    ap.add_argument('--malloc-tune', action=argparse.BooleanOptionalAction, default=True,
                    help='re-exec with %s' % MALLOC_ENV)
    ap.add_argument('--force', action='store_true', help='overwrite an existing run in --out')
    return ap.parse_args()


def find_vjepa(arg):
    if arg:
        return arg
    if os.environ.get('VJEPA'):
        return os.environ['VJEPA']
    import shutil
    return shutil.which('vjepa')


def mixture_counts(names, total):
    """Clips per set for `total` clips, in the proportions of vjepa-go's built-in train sizes."""
    sizes = [GO_TRAIN_SIZES[n] for n in names]
    counts = [total * s // sum(sizes) for s in sizes]
    for i in range(total - sum(counts)):  # remainder to the largest sets first
        counts[sorted(range(len(sizes)), key=lambda j: -sizes[j])[i % len(sizes)]] += 1
    return counts


def prepare_data(args, names, counts, frames, size, vjepa):
    """Export (if needed) each built-in set and write absolute-path list files of `counts` clips.

    `vjepa data export` renders clip i of a set from (seed, split, i) alone, so the first n
    exported training clips are exactly clips 0..n-1 that vjepa-go's pretraining draws from."""
    csvs, info = [], []
    for name, n in zip(names, counts):
        d = os.path.abspath(os.path.join(args.data, f'{name}_seed{args.data_seed}_f{frames}_s{size}'))
        lst = os.path.join(d, 'train.csv')
        have = 0
        if os.path.isfile(lst):
            with open(lst) as f:
                have = sum(1 for line in f if line.strip())
        if have < n:
            if vjepa is None:
                raise SystemExit('no vjepa binary to export the data: pass --vjepa or set $VJEPA')
            cmd = [vjepa, 'data', 'export', '--dataset', name, '--out', d, '--n', str(n),
                   '--frames', str(frames), '--size', str(size), '--seed', str(args.data_seed),
                   '--split', 'train', '--workers', str(max(1, args.threads))]
            print('export:', ' '.join(cmd), flush=True)
            t0 = time.time()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:  # its progress bar goes to stderr: show only on failure
                raise SystemExit(f'export failed ({r.returncode}): {r.stderr[-3000:]}')
            print(f'  exported {n} clips in {time.time() - t0:.0f} s', flush=True)
        with open(lst) as f:
            rows = [line.split() for line in f if line.strip()][:n]
        out = os.path.join(d, f'train_abs_{n}.csv')
        small = 0
        with open(out, 'w') as f:
            for rel, label in rows:
                p = os.path.join(d, rel)
                small += os.path.getsize(p) < 1024  # VideoDataset skips files under 1 KiB
                f.write(f'{p} {label}\n')
        if small:
            print(f'warning: {small} clips of {name} are < 1 KiB; the official loader replaces '
                  'them with random other clips', flush=True)
        csvs.append(out)
        info.append({'dataset': name, 'clips': n, 'dir': d, 'list': out, 'under_1KiB': small})
    return csvs, info


def ddp_state_dict(module):
    # DistributedDataParallel(module).state_dict() == module.state_dict() with 'module.'
    # prefixed (see make_reference.py; checked against a real gloo DDP of world size 1).
    return {'module.' + k: v for k, v in module.state_dict().items()}


def register_sized_model(video_vit, model_cfg):
    """Model name to pass to init_video_model: the official preset, or the preset with the
    YAML's size extensions (depth, embed_dim, num_heads, mlp_ratio) replaced in its
    VisionTransformer(...) call; every other argument stays the preset's."""
    sizes = {k: model_cfg.get(k) for k in ('embed_dim', 'depth', 'num_heads', 'mlp_ratio')}
    return official.preset_with(video_vit, model_cfg['model_name'], **sizes)


def go_encode_check(vjepa, config, ckpt_path, target_encoder, clip, out_dir):
    """Run `vjepa encode` (target_encoder of our checkpoint) and compare with PyTorch."""
    import torch
    x_path, y_path = os.path.join(out_dir, 'go_check_input.npy'), os.path.join(out_dir, 'go_check_out.npy')
    np.save(x_path, clip.numpy().astype(np.float32))
    with torch.no_grad():
        ref = target_encoder(clip).numpy()
    cmd = [vjepa, 'encode', '--config', config, '--checkpoint', ckpt_path, '--input', x_path,
           '--out', y_path]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    res = {'command': ' '.join(cmd), 'rc': r.returncode, 'seconds': round(time.time() - t0, 1)}
    if r.returncode != 0:
        res['stderr_tail'] = r.stderr[-2000:]
        return res
    go = np.load(y_path)
    res['shape'] = list(go.shape)
    if go.shape == ref.shape:
        d = np.abs(go.astype(np.float64) - ref)
        res['max_abs_diff'] = float(d.max())
        res['max_rel_diff'] = float(d.max() / np.abs(ref).max())
    return res


# --------------------------------------------------------------------------------------------
def main():
    args = parse_args()
    if args.malloc_tune and any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, **MALLOC_ENV))
    t_start = time.time()

    import yaml
    import torch
    import torch.multiprocessing as mp
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)

    import src.models.vision_transformer as video_vit
    from app.vjepa.utils import init_video_model, init_opt
    from app.vjepa.transforms import make_transforms
    from src.datasets.data_manager import init_data
    from src.masks.multiblock3d import MaskCollator as MB3DMaskCollator
    from src.masks.utils import apply_masks
    from src.utils.distributed import init_distributed
    from src.utils.logging import CSVLogger, AverageMeter, grad_logger, gpu_timer
    from src.utils.tensors import repeat_interleave_batch
    official.quiet_logging()
    warnings.filterwarnings('ignore', message='.*CUDA is not available.*')

    with open(args.config, 'rb') as f:
        config_bytes = f.read()
    cfg = yaml.safe_load(config_bytes)

    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, CKPT_NAME)
    if os.path.exists(ckpt_path) and not args.force:
        raise SystemExit(f'{ckpt_path} exists: pass --force or choose another --out')
    for stale in ('train_log.csv', 'jepa_r0.csv'):
        if os.path.exists(os.path.join(args.out, stale)):
            os.remove(os.path.join(args.out, stale))

    # ---------------------------------------------------- train.py: PASSED IN PARAMS FROM CONFIG
    cfgs_meta = cfg.get('meta')
    seed = cfgs_meta.get('seed', 0) if args.seed is None else args.seed
    if args.data_seed is None:
        args.data_seed = seed
    which_dtype = cfgs_meta.get('dtype')
    if which_dtype.lower() != 'float32':
        raise SystemExit(f'meta.dtype {which_dtype}: this CPU reference runs float32 only')
    dtype, mixed_precision = torch.float32, False

    cfgs_mask = cfg.get('mask')

    cfgs_model = cfg.get('model')
    model_name = register_sized_model(video_vit, cfgs_model)
    pred_depth = cfgs_model.get('pred_depth')
    pred_embed_dim = cfgs_model.get('pred_embed_dim')
    uniform_power = cfgs_model.get('uniform_power', True)
    use_mask_tokens = cfgs_model.get('use_mask_tokens', True)
    zero_init_mask_tokens = cfgs_model.get('zero_init_mask_tokens', True)

    cfgs_data = cfg.get('data')
    dataset_type = cfgs_data.get('dataset_type', 'videodataset')
    mask_type = cfgs_data.get('mask_type', 'multiblock3d')
    dataset_names = cfgs_data.get('datasets', [])  # built-in names here, exported below
    datasets_weights = cfgs_data.get('datasets_weights', None)
    batch_size = cfgs_data.get('batch_size')
    num_clips = cfgs_data.get('num_clips')
    num_frames = cfgs_data.get('num_frames')
    tubelet_size = cfgs_data.get('tubelet_size')
    sampling_rate = cfgs_data.get('sampling_rate')
    duration = cfgs_data.get('clip_duration', None)
    crop_size = cfgs_data.get('crop_size', 224)
    patch_size = cfgs_data.get('patch_size')
    pin_mem = cfgs_data.get('pin_mem', False)
    num_workers = args.workers  # YAML: cfgs_data.get('num_workers', 1) = 2, see --workers
    filter_short_videos = cfgs_data.get('filter_short_videos', False)
    decode_one_clip = cfgs_data.get('decode_one_clip', True)

    cfgs_data_aug = cfg.get('data_aug')
    ar_range = cfgs_data_aug.get('random_resize_aspect_ratio', [3/4, 4/3])
    rr_scale = cfgs_data_aug.get('random_resize_scale', [0.3, 1.0])
    motion_shift = cfgs_data_aug.get('motion_shift', False)
    reprob = cfgs_data_aug.get('reprob', 0.)
    use_aa = cfgs_data_aug.get('auto_augment', False)

    cfgs_loss = cfg.get('loss')
    loss_exp = cfgs_loss.get('loss_exp')
    reg_coeff = cfgs_loss.get('reg_coeff')

    cfgs_opt = cfg.get('optimization')
    ipe = cfgs_opt.get('ipe', None)
    ipe_scale = cfgs_opt.get('ipe_scale', 1.0)
    clip_grad = cfgs_opt.get('clip_grad', None)
    wd = float(cfgs_opt.get('weight_decay'))
    final_wd = float(cfgs_opt.get('final_weight_decay'))
    num_epochs = cfgs_opt.get('epochs')
    warmup = cfgs_opt.get('warmup')
    start_lr = cfgs_opt.get('start_lr')
    lr = cfgs_opt.get('lr')
    final_lr = cfgs_opt.get('final_lr')
    ema = cfgs_opt.get('ema')
    betas = cfgs_opt.get('betas', (0.9, 0.999))
    eps = cfgs_opt.get('eps', 1.e-8)

    max_steps = ipe * num_epochs if args.steps is None else min(args.steps, ipe * num_epochs)
    n_clips = ipe * num_epochs * batch_size if args.clips is None else args.clips
    if n_clips < batch_size or max_steps < 1:
        raise SystemExit(f'need --clips >= batch_size ({batch_size}) and --steps >= 1')

    # ------------------------------------------------------------------- data (our addition)
    vjepa = find_vjepa(args.vjepa)
    if args.data_mode == 'go':
        export_frames, frame_step = num_frames, 1
    else:
        export_frames, frame_step = num_frames * sampling_rate, sampling_rate
    counts = mixture_counts(dataset_names, n_clips)
    t0 = time.time()
    dataset_paths, data_info = prepare_data(args, dataset_names, counts, export_frames,
                                            crop_size, vjepa)
    data_prep_s = time.time() - t0

    # ---------------------------------------------------------------------- train.py: main()
    np.random.seed(seed)
    torch.manual_seed(seed)
    random.seed(seed)  # addition: python `random` draws the crops; DataLoader workers seed it
    try:
        mp.set_start_method('spawn')
    except Exception:
        pass

    world_size, rank = init_distributed()  # no SLURM: (1, 0), no process group
    device = torch.device('cpu')

    # -- make csv_logger (official columns)
    csv_logger = CSVLogger(
        os.path.join(args.out, f"{cfg.get('logging', {}).get('write_tag', 'jepa')}_r{rank}.csv"),
        ('%d', 'epoch'), ('%d', 'itr'), ('%.5f', 'loss'), ('%.5f', 'loss-jepa'),
        ('%.5f', 'reg-loss'), ('%.5f', 'enc-grad-norm'), ('%.5f', 'pred-grad-norm'),
        ('%d', 'gpu-time(ms)'), ('%d', 'wall-time(ms)'))

    # -- init model
    encoder, predictor = init_video_model(
        uniform_power=uniform_power,
        use_mask_tokens=use_mask_tokens,
        num_mask_tokens=len(cfgs_mask),
        zero_init_mask_tokens=zero_init_mask_tokens,
        device=device,
        patch_size=patch_size,
        num_frames=num_frames,
        tubelet_size=tubelet_size,
        model_name=model_name,
        crop_size=crop_size,
        pred_depth=pred_depth,
        pred_embed_dim=pred_embed_dim,
        use_sdpa=cfgs_meta.get('use_sdpa', False),
    )
    target_encoder = copy.deepcopy(encoder)
    # CPU workaround: use_sdpa never reaches Attention (default True) and torch 1.13 has no
    # F.scaled_dot_product_attention; the explicit branch computes the same function.
    n_attn = official.use_explicit_attention(encoder, predictor, target_encoder)

    # -- make data transforms
    if mask_type != 'multiblock3d':
        raise SystemExit(f'mask_type {mask_type}: only multiblock3d is mirrored')
    mask_collator = MB3DMaskCollator(
        crop_size=crop_size,
        num_frames=num_frames,
        patch_size=patch_size,
        tubelet_size=tubelet_size,
        cfgs_mask=cfgs_mask)
    if args.data_mode == 'official':
        transform = make_transforms(
            random_horizontal_flip=True,
            random_resize_aspect_ratio=ar_range,
            random_resize_scale=rr_scale,
            reprob=reprob,
            auto_augment=use_aa,
            motion_shift=motion_shift,
            crop_size=crop_size)
    else:
        transform = NormalizeOnly()

    # -- init data-loaders/samplers
    (unsupervised_loader,
     unsupervised_sampler) = init_data(
         data=dataset_type,
         root_path=dataset_paths,
         batch_size=batch_size,
         training=True,
         clip_len=num_frames,
         frame_sample_rate=frame_step,
         filter_short_videos=filter_short_videos,
         decode_one_clip=decode_one_clip,
         duration=duration,
         num_clips=num_clips,
         transform=transform,
         datasets_weights=datasets_weights,
         collator=mask_collator,
         num_workers=num_workers,
         world_size=world_size,
         pin_mem=pin_mem,
         rank=rank,
         log_dir=None)
    _dlen = len(unsupervised_loader)
    if ipe is None:
        ipe = _dlen
    if _dlen < max_steps:
        print(f'note: {_dlen} batches per pass < {max_steps} steps: the loader is refreshed '
              '(new permutation) when exhausted, as train.py does', flush=True)

    # -- init optimizer and scheduler
    optimizer, scaler, scheduler, wd_scheduler = init_opt(
        encoder=encoder,
        predictor=predictor,
        wd=wd,
        final_wd=final_wd,
        start_lr=start_lr,
        ref_lr=lr,
        final_lr=final_lr,
        iterations_per_epoch=ipe,
        warmup=warmup,
        num_epochs=num_epochs,
        ipe_scale=ipe_scale,
        mixed_precision=mixed_precision,
        betas=betas,
        eps=eps)
    # train.py wraps encoder/predictor/target_encoder in DistributedDataParallel here. With
    # world size 1 DDP's all-reduce is the identity; we keep the bare modules and add the
    # 'module.' prefix when saving.
    for p in target_encoder.parameters():
        p.requires_grad = False

    # -- momentum schedule (train.py, verbatim expression)
    momentum_scheduler = (ema[0] + i*(ema[1]-ema[0])/(ipe*num_epochs*ipe_scale)
                          for i in range(int(ipe*num_epochs*ipe_scale)+1))

    start_epoch = 0  # load_checkpoint: false

    def save_checkpoint(epoch, path):
        save_dict = {
            'encoder': ddp_state_dict(encoder),
            'predictor': ddp_state_dict(predictor),
            'opt': optimizer.state_dict(),
            'scaler': None if scaler is None else scaler.state_dict(),
            'target_encoder': ddp_state_dict(target_encoder),
            'epoch': epoch,
            'loss': loss_meter.avg,
            'batch_size': batch_size,
            'world_size': world_size,
            'lr': lr,
        }
        tmp = path + '.tmp'
        torch.save(save_dict, tmp)
        os.replace(tmp, path)

    run_cfg = {
        'created_utc': datetime.datetime.utcnow().isoformat(timespec='seconds') + 'Z',
        'command': ' '.join([sys.executable] + sys.argv),
        'config': os.path.abspath(args.config),
        'config_sha256': hashlib.sha256(config_bytes).hexdigest(),
        'config_parsed': cfg,
        'seed': seed, 'data_seed': args.data_seed, 'data_mode': args.data_mode,
        'export_frames': export_frames, 'frame_step': frame_step, 'data': data_info,
        'clips': n_clips, 'batches_per_pass': _dlen, 'max_steps': max_steps,
        'dataloader_workers': num_workers, 'threads': torch.get_num_threads(),
        'model_name_registered': model_name, 'explicit_attention_modules': n_attn,
        'encoder_params': sum(p.numel() for p in encoder.parameters() if p.requires_grad),
        'predictor_params': sum(p.numel() for p in predictor.parameters() if p.requires_grad),
        'torch': torch.__version__, 'numpy': np.__version__, 'python': platform.python_version(),
        'blas': host.blas_libraries(), 'malloc_env': {k: os.environ.get(k) for k in MALLOC_ENV},
        'jepa_src': JEPA_SRC, 'jepa_commit': os.environ.get('JEPA_COMMIT'),
        'vjepa': vjepa, 'data_prep_s': round(data_prep_s, 1),
    }
    with open(os.path.join(args.out, 'run_config.json'), 'w') as f:
        json.dump(run_cfg, f, indent=1, default=str)
    print(f"official V-JEPA, {args.config}: {model_name} ({run_cfg['encoder_params']} enc / "
          f"{run_cfg['predictor_params']} pred params), data-mode {args.data_mode} "
          f"({'+'.join(f'{c} {n}' for c, n in zip(counts, dataset_names))}, "
          f"{export_frames} exported frames, frame step {frame_step}), {max_steps} steps, "
          f"batch {batch_size}, seed {seed}, {torch.get_num_threads()} threads, "
          f"{num_workers} loader workers", flush=True)

    log_f = open(os.path.join(args.out, 'train_log.csv'), 'w')
    log_f.write('step,epoch,itr,loss,loss_jepa,loss_reg,lr,wd,momentum,grad_norm_enc,'
                'grad_norm_pred,clipped,ctx_tokens,tgt_tokens,input_var,seconds,data_seconds,'
                'elapsed_s\n')

    loader = iter(unsupervised_loader)
    step, t_train, data_total, step_total = 0, time.time(), 0., 0.
    last_clip = None
    loss_meter = AverageMeter()

    # -- TRAINING LOOP
    for epoch in range(start_epoch, num_epochs):
        if step >= max_steps:
            break
        # -- update distributed-data-loader epoch
        unsupervised_sampler.set_epoch(epoch)

        loss_meter = AverageMeter()
        jepa_loss_meter = AverageMeter()
        reg_loss_meter = AverageMeter()
        mask_meters = [AverageMeter() for _ in range(len(cfgs_mask))]

        for itr in range(ipe):
            if step >= max_steps:
                break
            itr_start_time = time.time()

            try:
                udata, masks_enc, masks_pred = next(loader)
            except Exception:
                print('Exhausted data loaders. Refreshing...', flush=True)
                loader = iter(unsupervised_loader)
                udata, masks_enc, masks_pred = next(loader)
            assert len(masks_enc) == len(masks_pred), \
                'Currently require num encoder masks = num predictor masks'

            def load_clips():
                clips = torch.cat([u.to(device, non_blocking=True) for u in udata[0]], dim=0)
                _masks_enc, _masks_pred = [], []
                for _me, _mp in zip(masks_enc, masks_pred):
                    _me = _me.to(device, non_blocking=True)
                    _mp = _mp.to(device, non_blocking=True)
                    _me = repeat_interleave_batch(_me, batch_size, repeat=num_clips)
                    _mp = repeat_interleave_batch(_mp, batch_size, repeat=num_clips)
                    _masks_enc.append(_me)
                    _masks_pred.append(_mp)
                return (clips, _masks_enc, _masks_pred)
            clips, masks_enc, masks_pred = load_clips()
            data_s = time.time() - itr_start_time
            if step == 0:
                print(f'first batch: clips {tuple(clips.shape)} {clips.dtype}, frame indices of '
                      f'sample 0: {udata[2][0][0].tolist()}, mask lengths (ctx, tgt): '
                      f'{[(m.shape[1], p.shape[1]) for m, p in zip(masks_enc, masks_pred)]}',
                      flush=True)

            for _i, m in enumerate(mask_meters):
                m.update(masks_enc[_i][0].size(-1))

            obs = {}

            def train_step():
                _new_lr = scheduler.step()
                _new_wd = wd_scheduler.step()
                # --

                def forward_target(c):
                    with torch.no_grad():
                        h = target_encoder(c)
                        h = F.layer_norm(h, (h.size(-1),))  # normalize over feature-dim  [B, N, D]
                        # -- create targets (masked regions of h)
                        h = apply_masks(h, masks_pred, concat=False)
                        return h

                def forward_context(c, h):
                    z = encoder(c, masks_enc)
                    z = predictor(z, h, masks_enc, masks_pred)
                    return z

                def loss_fn(z, h):
                    loss = 0.
                    # Compute loss and accumulate for each mask-enc/mask-pred pair
                    for zi, hi in zip(z, h):
                        loss += torch.mean(torch.abs(zi - hi)**loss_exp) / loss_exp
                    loss /= len(masks_pred)
                    return loss

                def reg_fn(z):
                    return sum([torch.sqrt(zi.var(dim=1) + 0.0001) for zi in z]) / len(z)

                # Step 1. Forward
                loss_jepa, loss_reg = 0., 0.
                with torch.cuda.amp.autocast(dtype=dtype, enabled=mixed_precision):
                    h = forward_target(clips)
                    z = forward_context(clips, h)
                    loss_jepa = loss_fn(z, h)  # jepa prediction loss
                    pstd_z = reg_fn(z)  # predictor variance across patches
                    loss_reg += torch.mean(F.relu(1.-pstd_z))
                loss = loss_jepa + reg_coeff * loss_reg

                # Step 2. Backward & step
                _enc_norm, _pred_norm = 0., 0.
                loss.backward()
                # observation only (not in train.py): pre-clip global grad norms, as vjepa-go logs
                with torch.no_grad():
                    for key, model in (('enc', encoder), ('pred', predictor)):
                        g = [p.grad.detach().norm(2) for p in model.parameters() if p.grad is not None]
                        obs[key] = float(torch.norm(torch.stack(g), 2))
                obs['clipped'] = int((epoch > warmup) and (clip_grad is not None))
                if (epoch > warmup) and (clip_grad is not None):
                    _enc_norm = torch.nn.utils.clip_grad_norm_(encoder.parameters(), clip_grad)
                    _pred_norm = torch.nn.utils.clip_grad_norm_(predictor.parameters(), clip_grad)
                optimizer.step()
                grad_stats = grad_logger(encoder.named_parameters())
                grad_stats.global_norm = float(_enc_norm)
                grad_stats_pred = grad_logger(predictor.named_parameters())
                grad_stats_pred.global_norm = float(_pred_norm)
                optimizer.zero_grad()

                # Step 3. momentum update of target encoder
                m = next(momentum_scheduler)
                obs['momentum'] = m
                with torch.no_grad():
                    for param_q, param_k in zip(encoder.parameters(), target_encoder.parameters()):
                        param_k.data.mul_(m).add_((1.-m) * param_q.detach().data)

                return (
                    float(loss),
                    float(loss_jepa),
                    float(loss_reg),
                    _new_lr,
                    _new_wd,
                    grad_stats,
                    grad_stats_pred,
                )
            t_step = time.time()
            (loss, loss_jepa, loss_reg, _new_lr, _new_wd, grad_stats, grad_stats_pred,), \
                gpu_etime_ms = gpu_timer(train_step)
            step_s = time.time() - t_step
            iter_elapsed_time_ms = (time.time() - itr_start_time) * 1000.
            loss_meter.update(loss)
            input_var = float(clips.view(clips.shape[0], -1).var(dim=1).mean(dim=0))
            jepa_loss_meter.update(loss_jepa)
            reg_loss_meter.update(loss_reg)
            step += 1
            data_total += data_s
            step_total += step_s
            last_clip = clips[:1].clone()

            csv_logger.log(epoch + 1, itr, loss, loss_jepa, loss_reg, grad_stats.global_norm,
                           grad_stats_pred.global_norm, gpu_etime_ms, iter_elapsed_time_ms)
            log_f.write(f"{step},{epoch},{itr},{loss:.6f},{loss_jepa:.6f},{loss_reg:.6f},"
                        f"{_new_lr:.6e},{_new_wd:.6e},{obs['momentum']:.8f},{obs['enc']:.6f},"
                        f"{obs['pred']:.6f},{obs['clipped']},"
                        f"{'/'.join(str(me.shape[1]) for me in masks_enc)},"
                        f"{'/'.join(str(mp.shape[1]) for mp in masks_pred)},{input_var:.4f},"
                        f"{step_s:.3f},{data_s:.3f},{time.time() - t_train:.1f}\n")
            log_f.flush()
            if step % 10 == 0 or step == 1 or step == max_steps or np.isnan(loss):
                per = (time.time() - t_train) / step
                print(f'[{epoch + 1}, {itr:4d}] step {step}/{max_steps} loss {loss:.4f} '
                      f'(avg {loss_meter.avg:.4f}) lr {_new_lr:.3e} wd {_new_wd:.3e} '
                      f"m {obs['momentum']:.5f} |g| enc {obs['enc']:.3f} pred {obs['pred']:.3f} "
                      f'masks {[int(m.avg) for m in mask_meters]} input_var {input_var:.3f} | '
                      f'{step_s:.2f} s/step + data {data_s:.2f} s | '
                      f'ETA {per * (max_steps - step) / 60:.1f} min', flush=True)
            assert not np.isnan(loss), 'loss is nan'

        # -- Save Checkpoint (train.py: after every epoch, to the latest file)
        save_checkpoint(epoch + 1 if itr == ipe - 1 else epoch, ckpt_path)
    log_f.close()
    train_s = time.time() - t_train

    go_check = None
    if args.go_check:
        if vjepa is None:
            go_check = {'skipped': 'no vjepa binary'}
        else:
            target_encoder.eval()
            go_check = go_encode_check(vjepa, args.config, ckpt_path, target_encoder,
                                       last_clip, args.out)
        print('go encode check:', json.dumps(go_check), flush=True)
    total_s = time.time() - t_start
    summary = {'steps': step, 'final_loss': loss, 'last_epoch_avg_loss': loss_meter.avg,
               'train_s': round(train_s, 1), 's_per_step': round(train_s / max(step, 1), 3),
               'compute_s_per_step': round(step_total / max(step, 1), 3),
               'data_s_per_step': round(data_total / max(step, 1), 3),
               'data_prep_s': round(data_prep_s, 1), 'total_wall_s': round(total_s, 1),
               'checkpoint': os.path.abspath(ckpt_path), 'go_check': go_check,
               'loadavg_end': open('/proc/loadavg').read().split()[:3]}
    run_cfg['summary'] = summary
    with open(os.path.join(args.out, 'run_config.json'), 'w') as f:
        json.dump(run_cfg, f, indent=1, default=str)
    print(f"SUMMARY steps={step} final_loss={loss:.4f} epoch_avg_loss={loss_meter.avg:.4f} "
          f"train={train_s:.1f}s ({summary['s_per_step']} s/step: compute "
          f"{summary['compute_s_per_step']} + data {summary['data_s_per_step']}) "
          f"data_prep={data_prep_s:.1f}s total_wall={total_s:.1f}s checkpoint={ckpt_path}",
          flush=True)


if __name__ == '__main__':
    main()
