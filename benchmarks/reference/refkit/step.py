"""Modes step and stepfwd: the pretraining step of the official app/vjepa/train.py, written
out statement by statement (train.py cannot be imported: it needs cv2, and train_step is a
closure inside main()), on the official models, masks, optimiser, schedules and loggers."""
import os

from . import cases, flops, host, official, timing


def run(spec, mode, args, jepa_src):
    """The pretraining step of app/vjepa/train.py (main() set-up, then train_step()), or
    (mode 'stepfwd') its forward half without gradients."""
    import copy
    import numpy as np
    import torch
    import torch.nn.functional as F
    import yaml
    import src.models.vision_transformer as video_vit
    from app.vjepa.utils import init_video_model, init_opt
    from src.masks.multiblock3d import MaskCollator as MB3DMaskCollator
    from src.masks.utils import apply_masks
    from src.utils.tensors import repeat_interleave_batch
    from src.utils import logging as jepa_logging
    official.quiet_logging()
    grad_logger = jepa_logging.grad_logger
    adamw_logger = getattr(jepa_logging, 'adamw_logger', None)  # absent in older commits

    # The paper's hyper-parameters, read from the official config file.
    with open(os.path.join(jepa_src, 'configs', 'pretrain', 'vitl16.yaml')) as f:
        cfg = yaml.safe_load(f)
    all_masks = cfg['mask']  # [short-range 8 x 0.15, long-range 2 x 0.7]
    cfgs_mask = {'both': all_masks, 'short': all_masks[:1], 'long': all_masks[1:2]}[args.masks]
    cfgs_model, cfgs_opt, cfgs_loss = cfg['model'], cfg['optimization'], cfg['loss']
    loss_exp, reg_coeff = float(cfgs_loss['loss_exp']), float(cfgs_loss['reg_coeff'])
    # float32 like the Go port (vitl16.yaml says bfloat16, a GPU setting; cpu-default.yaml
    # says float32): train.py then uses dtype float32 and mixed_precision False.
    dtype, mixed_precision = torch.float32, False
    ipe, num_epochs = cfgs_opt['ipe'], cfgs_opt['epochs']
    ipe_scale, warmup = cfgs_opt.get('ipe_scale', 1.0), cfgs_opt['warmup']
    clip_grad, ema = cfgs_opt.get('clip_grad'), cfgs_opt['ema']

    batch = args.batch or spec['step_batch']
    pred_depth = args.pred_depth if args.pred_depth is not None else spec['pred_depth']
    pred_dim = args.pred_dim if args.pred_dim is not None else spec['pred_dim']
    T, S, P, t = spec['frames'], spec['crop'], spec['patch'], spec['tubelet']

    # -- models (train.py: np.random.seed / torch.manual_seed, init_video_model, deepcopy)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    model_name = official.preset_with_depth(video_vit, spec['model'], spec['depth'])
    encoder, predictor = init_video_model(
        device=torch.device('cpu'),
        patch_size=P,
        num_frames=T,
        tubelet_size=t,
        model_name=model_name,
        crop_size=S,
        pred_depth=pred_depth,
        pred_embed_dim=pred_dim,
        uniform_power=cfgs_model.get('uniform_power', True),
        use_mask_tokens=cfgs_model.get('use_mask_tokens', True),
        num_mask_tokens=len(cfgs_mask),
        zero_init_mask_tokens=cfgs_model.get('zero_init_mask_tokens', True),
        use_sdpa=cfg['meta'].get('use_sdpa', True))  # no effect: see force_explicit_attention
    if pred_dim % encoder.backbone.num_heads:
        raise SystemExit(f'--pred-dim {pred_dim}: the official predictor uses the encoder\'s '
                         f'{encoder.backbone.num_heads} heads, so it must be divisible by that')
    target_encoder = copy.deepcopy(encoder)
    n_attn = official.use_explicit_attention(encoder, predictor, target_encoder)

    # -- masks: the official collator, drawn once (block sizes from its iteration counter 0,
    # positions from the global RNG). They depend only on the batch size, not on the clips,
    # so the collator is given placeholders instead of a second copy of the clip.
    mask_collator = MB3DMaskCollator(crop_size=S, num_frames=T, patch_size=P,
                                     tubelet_size=t, cfgs_mask=cfgs_mask)
    torch.manual_seed(args.seed)
    mask_draw, mask_distance = 0, None
    _, masks_enc, masks_pred = mask_collator(list(range(batch)))
    if args.match:  # successive draws: block sizes from the counter 1, 2, ..., fresh positions
        def distance(me, mp):
            return sum(abs(int(e.shape[1]) - want_c) + abs(int(p.shape[1]) - want_p)
                       for e, p, (want_c, want_p) in zip(me, mp, args.match))
        mask_distance = distance(masks_enc, masks_pred)
        for i in range(1, args.match_tries):
            if mask_distance == 0:
                break
            _, me, mp = mask_collator(list(range(batch)))
            d = distance(me, mp)
            if d < mask_distance:
                mask_draw, mask_distance, masks_enc, masks_pred = i, d, me, mp

    # -- optimiser and schedules (train.py: init_opt, then target encoder frozen)
    optimizer, scaler, scheduler, wd_scheduler = init_opt(
        encoder=encoder,
        predictor=predictor,
        wd=float(cfgs_opt['weight_decay']),
        final_wd=float(cfgs_opt['final_weight_decay']),
        start_lr=cfgs_opt['start_lr'],
        ref_lr=cfgs_opt['lr'],
        final_lr=cfgs_opt['final_lr'],
        iterations_per_epoch=ipe,
        warmup=warmup,
        num_epochs=num_epochs,
        ipe_scale=ipe_scale,
        mixed_precision=mixed_precision,
        betas=tuple(cfgs_opt.get('betas', (0.9, 0.999))),
        eps=cfgs_opt.get('eps', 1e-8))
    for p in target_encoder.parameters():
        p.requires_grad = False
    momentum_scheduler = (ema[0] + i*(ema[1]-ema[0])/(ipe*num_epochs*ipe_scale)
                          for i in range(int(ipe*num_epochs*ipe_scale)+1))
    epoch = 0  # first epoch: no gradient clipping (epoch > warmup is False)

    # -- one batch (train.py: load_clips(), outside the timed train_step)
    clips = torch.randn(batch, 3, T, S, S, generator=torch.Generator().manual_seed(args.seed + 1))
    num_clips = 1
    masks_enc = [repeat_interleave_batch(m, batch, repeat=num_clips) for m in masks_enc]
    masks_pred = [repeat_interleave_batch(m, batch, repeat=num_clips) for m in masks_pred]
    kc = [int(m.shape[1]) for m in masks_enc]
    kp = [int(m.shape[1]) for m in masks_pred]
    losses = []

    def train_step():  # app/vjepa/train.py train_step(), float32 branch
        _new_lr = scheduler.step()
        _new_wd = wd_scheduler.step()

        def forward_target(c):
            with torch.no_grad():
                h = target_encoder(c)
                h = F.layer_norm(h, (h.size(-1),))  # normalize over feature-dim
                h = apply_masks(h, masks_pred, concat=False)
                return h

        def forward_context(c, h):
            z = encoder(c, masks_enc)
            z = predictor(z, h, masks_enc, masks_pred)
            return z

        def loss_fn(z, h):
            loss = 0.
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
            loss_jepa = loss_fn(z, h)
            pstd_z = reg_fn(z)
            loss_reg += torch.mean(F.relu(1.-pstd_z))
        loss = loss_jepa + reg_coeff * loss_reg

        # Step 2. Backward & step
        loss.backward()
        if (epoch > warmup) and (clip_grad is not None):
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), clip_grad)
            torch.nn.utils.clip_grad_norm_(predictor.parameters(), clip_grad)
        optimizer.step()
        if args.loggers:
            grad_logger(encoder.named_parameters())
            grad_logger(predictor.named_parameters())
        optimizer.zero_grad()
        if args.loggers and adamw_logger is not None:
            adamw_logger(optimizer)

        # Step 3. momentum update of target encoder
        m = next(momentum_scheduler)
        with torch.no_grad():
            for param_q, param_k in zip(encoder.parameters(), target_encoder.parameters()):
                param_k.data.mul_(m).add_((1.-m) * param_q.detach().data)
        losses.append(float(loss))

    def forward_only():  # stepfwd: the forward half of train_step() without gradients
        with torch.no_grad():
            h = target_encoder(clips)
            h = F.layer_norm(h, (h.size(-1),))
            h = apply_masks(h, masks_pred, concat=False)
            z = encoder(clips, masks_enc)
            z = predictor(z, h, masks_enc, masks_pred)
            loss = 0.
            for zi, hi in zip(z, h):
                loss += torch.mean(torch.abs(zi - hi)**loss_exp) / loss_exp
            loss /= len(masks_pred)
            pstd_z = sum([torch.sqrt(zi.var(dim=1) + 0.0001) for zi in z]) / len(z)
            loss = loss + reg_coeff * torch.mean(F.relu(1.-pstd_z))
        losses.append(float(loss))

    enc_bb, pred_bb = encoder.backbone, predictor.backbone
    D, depth, heads = enc_bb.embed_dim, len(enc_bb.blocks), enc_bb.num_heads
    n_tok = (T // t) * (S // P) ** 2
    if mode == 'step':
        total = flops.pretrain_step(D, depth, n_tok, t, P, pred_dim, pred_depth,
                                              kc, kp, batch)
        fn = train_step
    else:
        total = flops.pretrain_forward(D, depth, n_tok, t, P, pred_dim, pred_depth,
                                                 kc, kp, batch)
        fn = forward_only
    n_enc = sum(p.numel() for p in encoder.parameters() if p.requires_grad)
    n_pred = sum(p.numel() for p in predictor.parameters() if p.requires_grad)

    encoder.train(), predictor.train(), target_encoder.train()  # as train.py (dropout 0)
    rss_setup = host.peak_rss_mib()
    load0 = host.load_1min()
    warm, ts, busy = timing.run(fn, args.warmup, args.repeats)
    r = dict(config=spec['name'], go_name=cases.report_row(spec['name'], mode)[0],
             go_table=cases.report_row(spec['name'], mode)[1], mode=mode, model=spec['model'],
             embed_dim=D, depth=depth, heads=heads, frames=T, crop=S, patch=P, tubelet=t,
             tokens=n_tok, batch=batch, params_M=round(n_enc / 1e6, 3),
             pred_depth=pred_depth, pred_dim=pred_dim,
             pred_heads=pred_bb.predictor_blocks[0].attn.num_heads if pred_depth else None,
             pred_params_M=round(n_pred / 1e6, 3),
             masks=[{'num_blocks': m['num_blocks'], 'spatial_scale': m['spatial_scale'],
                     'temporal_scale': m['temporal_scale'], 'aspect_ratio': m['aspect_ratio']}
                    for m in cfgs_mask],
             Kc=kc, Kp=kp, mask_draw=mask_draw, match_masks=args.match,
             match_distance=mask_distance, gflop=round(total / 1e9, 3),
             loggers=bool(args.loggers), adamw_logger=adamw_logger is not None,
             explicit_attention_modules=n_attn,
             loss_first=round(losses[0], 6), loss_last=round(losses[-1], 6))
    r.update(timing.fields(warm, ts, busy, batch, total))
    r.update(rss_setup_mib=rss_setup, peak_rss_mib=host.peak_rss_mib(),
             loadavg_1m=[load0, host.load_1min()])
    return r
