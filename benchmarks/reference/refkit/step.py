"""Modes step and stepfwd: the pretraining step of the official app/vjepa/train.py, written
out statement by statement (train.py cannot be imported: it needs cv2, and train_step is a
closure inside main()), on the official models, masks, optimiser, schedules and loggers.

The set-up follows train.py's main() in its order (seeds, models, target copy, masks,
optimiser and schedules, one batch), because the random draws depend on that order."""
import os
import types

from . import cases, flops, host, official, timing


def recipe(jepa_src, masks):
    """The paper's hyper-parameters from the official configs/pretrain/vitl16.yaml; `masks`
    picks its mask configurations: both, short (8 blocks × 0.15) or long (2 blocks × 0.7)."""
    import yaml
    with open(os.path.join(jepa_src, 'configs', 'pretrain', 'vitl16.yaml')) as f:
        cfg = yaml.safe_load(f)
    every = cfg['mask']
    opt, loss = cfg['optimization'], cfg['loss']
    return types.SimpleNamespace(
        meta=cfg['meta'], model=cfg['model'], opt=opt,
        masks={'both': every, 'short': every[:1], 'long': every[1:2]}[masks],
        loss_exp=float(loss['loss_exp']), reg_coeff=float(loss['reg_coeff']),
        ipe=opt['ipe'], epochs=opt['epochs'], ipe_scale=opt.get('ipe_scale', 1.0),
        warmup=opt['warmup'], clip_grad=opt.get('clip_grad'), ema=opt['ema'])


def build_models(spec, rec, args, pred_depth, pred_dim):
    """train.py's seeds, init_video_model and the deepcopy of the target encoder, with every
    Attention on its explicit branch. Returns (encoder, predictor, target, switched)."""
    import copy
    import numpy as np
    import torch
    import src.models.vision_transformer as video_vit
    from app.vjepa.utils import init_video_model
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    encoder, predictor = init_video_model(
        device=torch.device('cpu'), patch_size=spec['patch'], num_frames=spec['frames'],
        tubelet_size=spec['tubelet'], crop_size=spec['crop'],
        model_name=official.preset_with(video_vit, spec['model'], depth=spec['depth']),
        pred_depth=pred_depth, pred_embed_dim=pred_dim,
        uniform_power=rec.model.get('uniform_power', True),
        use_mask_tokens=rec.model.get('use_mask_tokens', True),
        num_mask_tokens=len(rec.masks),
        zero_init_mask_tokens=rec.model.get('zero_init_mask_tokens', True),
        use_sdpa=rec.meta.get('use_sdpa', True))  # has no effect: official.use_explicit_attention
    if pred_dim % encoder.backbone.num_heads:
        raise SystemExit(f'--pred-dim {pred_dim}: the official predictor uses the encoder\'s '
                         f'{encoder.backbone.num_heads} heads, so it must be divisible by that')
    target = copy.deepcopy(encoder)
    switched = official.use_explicit_attention(encoder, predictor, target)
    return encoder, predictor, target, switched


def draw_masks(spec, rec, batch, args):
    """The official collator's masks for a batch, drawn once: block sizes from its iteration
    counter, positions from the global RNG (re-seeded). With args.match, the draw (of
    args.match_tries successive ones) whose Kc/Kp are closest to it. The masks depend only on
    the batch size, so the collator gets placeholders instead of clips.
    Returns (masks_enc, masks_pred, draw index, distance or None)."""
    import torch
    from src.masks.multiblock3d import MaskCollator
    collator = MaskCollator(crop_size=spec['crop'], num_frames=spec['frames'], patch_size=spec['patch'],
                            tubelet_size=spec['tubelet'], cfgs_mask=rec.masks)
    torch.manual_seed(args.seed)
    _, enc, pred = collator(list(range(batch)))
    if not args.match:
        return enc, pred, 0, None

    def distance(e, p):
        return sum(abs(int(me.shape[1]) - want_c) + abs(int(mp.shape[1]) - want_p)
                   for me, mp, (want_c, want_p) in zip(e, p, args.match))
    best, best_draw = distance(enc, pred), 0
    for draw in range(1, args.match_tries):
        if best == 0:
            break
        _, e, p = collator(list(range(batch)))
        if (d := distance(e, p)) < best:
            best, best_draw, enc, pred = d, draw, e, p
    return enc, pred, best_draw, best


def build_optimiser(encoder, predictor, target, rec):
    """train.py's init_opt (four parameter groups, warm-up and cosine schedules), the frozen
    target encoder and its EMA momentum generator. Returns (optimizer, lr schedule, wd
    schedule, momentum generator)."""
    from app.vjepa.utils import init_opt
    opt = rec.opt
    optimizer, _scaler, lr_schedule, wd_schedule = init_opt(
        encoder=encoder, predictor=predictor,
        wd=float(opt['weight_decay']), final_wd=float(opt['final_weight_decay']),
        start_lr=opt['start_lr'], ref_lr=opt['lr'], final_lr=opt['final_lr'],
        iterations_per_epoch=rec.ipe, warmup=rec.warmup, num_epochs=rec.epochs, ipe_scale=rec.ipe_scale,
        mixed_precision=False, betas=tuple(opt.get('betas', (0.9, 0.999))), eps=opt.get('eps', 1e-8))
    for p in target.parameters():
        p.requires_grad = False
    total = rec.ipe * rec.epochs * rec.ipe_scale
    ema0, ema1 = rec.ema
    momentum = (ema0 + i * (ema1 - ema0) / total for i in range(int(total) + 1))
    return optimizer, lr_schedule, wd_schedule, momentum


def loss_terms(z, h, rec, num_masks):
    """train.py's loss: the L1 (loss_exp 1) between predictions and targets averaged over the
    mask configurations, plus reg_coeff × the variance term (reg_coeff is 0 in vitl16.yaml)."""
    import torch
    import torch.nn.functional as F
    jepa = 0.
    for zi, hi in zip(z, h):
        jepa += torch.mean(torch.abs(zi - hi) ** rec.loss_exp) / rec.loss_exp
    jepa /= num_masks
    pstd = sum([torch.sqrt(zi.var(dim=1) + 0.0001) for zi in z]) / len(z)
    return jepa + rec.reg_coeff * torch.mean(F.relu(1. - pstd))


def make_calls(s, rec, args, losses):
    """(train_step, forward_only) on the set-up s: train.py's train_step() in its float32
    branch, and its forward half without gradients (mode stepfwd)."""
    import torch
    import torch.nn.functional as F
    from src.masks.utils import apply_masks
    from src.utils import logging as jepa_logging
    adamw_logger = getattr(jepa_logging, 'adamw_logger', None)  # absent in older commits
    epoch = 0  # the first epoch: no gradient clipping (epoch > warmup is False)

    def targets():
        with torch.no_grad():
            h = s.target(s.clips)
            h = F.layer_norm(h, (h.size(-1),))  # normalise over the feature dimension
            return apply_masks(h, s.masks_pred, concat=False)

    def train_step():
        s.lr_schedule.step()
        s.wd_schedule.step()
        h = targets()
        z = s.predictor(s.encoder(s.clips, s.masks_enc), h, s.masks_enc, s.masks_pred)
        loss = loss_terms(z, h, rec, len(s.masks_pred))
        loss.backward()
        if epoch > rec.warmup and rec.clip_grad is not None:
            torch.nn.utils.clip_grad_norm_(s.encoder.parameters(), rec.clip_grad)
            torch.nn.utils.clip_grad_norm_(s.predictor.parameters(), rec.clip_grad)
        s.optimizer.step()
        if args.loggers:
            jepa_logging.grad_logger(s.encoder.named_parameters())
            jepa_logging.grad_logger(s.predictor.named_parameters())
        s.optimizer.zero_grad()
        if args.loggers and adamw_logger is not None:
            adamw_logger(s.optimizer)
        m = next(s.momentum)
        with torch.no_grad():  # EMA of the target encoder
            for q, k in zip(s.encoder.parameters(), s.target.parameters()):
                k.data.mul_(m).add_((1. - m) * q.detach().data)
        losses.append(float(loss))

    def forward_only():
        with torch.no_grad():
            h = targets()
            z = s.predictor(s.encoder(s.clips, s.masks_enc), h, s.masks_enc, s.masks_pred)
            losses.append(float(loss_terms(z, h, rec, len(s.masks_pred))))

    return train_step, forward_only, adamw_logger is not None


def set_up(spec, args, jepa_src, batch, pred_depth, pred_dim):
    """Everything train.py's main() builds before its loop, for one fixed batch."""
    import torch
    from src.utils.tensors import repeat_interleave_batch
    official.quiet_logging()
    rec = recipe(jepa_src, args.masks)
    s = types.SimpleNamespace(rec=rec)
    s.encoder, s.predictor, s.target, s.switched = build_models(spec, rec, args, pred_depth, pred_dim)
    masks_enc, masks_pred, s.mask_draw, s.mask_distance = draw_masks(spec, rec, batch, args)
    s.optimizer, s.lr_schedule, s.wd_schedule, s.momentum = build_optimiser(s.encoder, s.predictor, s.target, rec)
    frames, crop = spec['frames'], spec['crop']
    s.clips = torch.randn(batch, 3, frames, crop, crop, generator=torch.Generator().manual_seed(args.seed + 1))
    s.masks_enc = [repeat_interleave_batch(m, batch, repeat=1) for m in masks_enc]
    s.masks_pred = [repeat_interleave_batch(m, batch, repeat=1) for m in masks_pred]
    s.kc = [int(m.shape[1]) for m in s.masks_enc]
    s.kp = [int(m.shape[1]) for m in s.masks_pred]
    return s


def run(spec, mode, args, jepa_src):
    """Times the step (mode 'step') or its forward half ('stepfwd') and returns the result
    record."""
    batch = args.batch or spec['step_batch']
    pred_depth = args.pred_depth if args.pred_depth is not None else spec['pred_depth']
    pred_dim = args.pred_dim if args.pred_dim is not None else spec['pred_dim']
    s = set_up(spec, args, jepa_src, batch, pred_depth, pred_dim)
    losses = []
    train_step, forward_only, has_adamw_logger = make_calls(s, s.rec, args, losses)

    enc, pred = s.encoder.backbone, s.predictor.backbone
    dim, depth = enc.embed_dim, len(enc.blocks)
    frames, crop, patch, tubelet = spec['frames'], spec['crop'], spec['patch'], spec['tubelet']
    tokens = (frames // tubelet) * (crop // patch) ** 2
    count = flops.pretrain_step if mode == 'step' else flops.pretrain_forward
    total = count(dim, depth, tokens, tubelet, patch, pred_dim, pred_depth, s.kc, s.kp, batch)
    fn = train_step if mode == 'step' else forward_only

    s.encoder.train(), s.predictor.train(), s.target.train()  # as train.py (dropout 0)
    rss_setup, load0 = host.peak_rss_mib(), host.load_1min()
    warm, timed, busy = timing.run(fn, args.warmup, args.repeats)
    row, table = cases.report_row(spec['name'], mode)
    r = dict(config=spec['name'], go_name=row, go_table=table, mode=mode, model=spec['model'],
             embed_dim=dim, depth=depth, heads=enc.num_heads, frames=frames, crop=crop, patch=patch,
             tubelet=tubelet, tokens=tokens, batch=batch, params_M=round(trainable(s.encoder) / 1e6, 3),
             pred_depth=pred_depth, pred_dim=pred_dim,
             pred_heads=pred.predictor_blocks[0].attn.num_heads if pred_depth else None,
             pred_params_M=round(trainable(s.predictor) / 1e6, 3),
             masks=[{k: m[k] for k in ('num_blocks', 'spatial_scale', 'temporal_scale', 'aspect_ratio')}
                    for m in s.rec.masks],
             Kc=s.kc, Kp=s.kp, mask_draw=s.mask_draw, match_masks=args.match, match_distance=s.mask_distance,
             gflop=round(total / 1e9, 3), loggers=bool(args.loggers), adamw_logger=has_adamw_logger,
             explicit_attention_modules=s.switched,
             loss_first=round(losses[0], 6), loss_last=round(losses[-1], 6))
    r.update(timing.fields(warm, timed, busy, batch, total))
    r.update(rss_setup_mib=rss_setup, peak_rss_mib=host.peak_rss_mib(), loadavg_1m=[load0, host.load_1min()])
    return r


def trainable(model):
    """The number of trainable parameters of model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
