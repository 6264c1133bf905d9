"""Modes fwd and fwdbwd: the official VisionTransformer preset on a random clip."""
from . import cases, flops, host, official, timing


def run(spec, mode, args):
    """fwd: eval() under no_grad on the whole clip. fwdbwd: train(), out.mean().backward(),
    the gradients dropped after every call."""
    import torch
    import src.models.vision_transformer as video_vit
    batch = args.batch or spec['enc_batch']
    frames, crop, patch, tubelet = spec['frames'], spec['crop'], spec['patch'], spec['tubelet']
    torch.manual_seed(args.seed)
    name = official.preset_with(video_vit, spec['model'], depth=spec['depth'])
    model = video_vit.__dict__[name](img_size=crop, patch_size=patch, num_frames=frames,
                                     tubelet_size=tubelet, uniform_power=True)
    switched = official.use_explicit_attention(model)
    tokens = (frames // tubelet) * (crop // patch) ** 2
    dim, depth = model.embed_dim, len(model.blocks)
    per_clip = flops.encoder_forward(dim, depth, tokens, tubelet, patch)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    clip = torch.randn(batch, 3, frames, crop, crop, generator=torch.Generator().manual_seed(args.seed + 1))

    def forward():
        with torch.no_grad():
            return model(clip)

    def forward_backward():
        model(clip).mean().backward()
        for p in model.parameters():
            p.grad = None

    if mode == 'fwd':
        model.eval()
        fn, total = forward, per_clip * batch
    else:
        model.train()
        fn, total = forward_backward, 3 * per_clip * batch
    rss_setup, load0 = host.peak_rss_mib(), host.load_1min()
    warm, timed, busy = timing.run(fn, args.warmup, args.repeats)
    row, table = cases.report_row(spec['name'], mode)
    r = dict(config=spec['name'], go_name=row, go_table=table, mode=mode, model=spec['model'],
             embed_dim=dim, depth=depth, heads=model.blocks[0].attn.num_heads, frames=frames, crop=crop,
             patch=patch, tubelet=tubelet, tokens=tokens, batch=batch, params_M=round(params / 1e6, 3),
             gflop_per_clip_fwd=round(per_clip / 1e9, 3), gflop=round(total / 1e9, 3),
             explicit_attention_modules=switched)
    r.update(timing.fields(warm, timed, busy, batch, total))
    r.update(rss_setup_mib=rss_setup, peak_rss_mib=host.peak_rss_mib(), loadavg_1m=[load0, host.load_1min()])
    return r

