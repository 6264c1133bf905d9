"""torch's float32 matrix product (the BLAS sgemm torch links), the PyTorch side of
vjepa-go's matrix-multiply peak."""
from . import flops, host, timing


def run(spec, args):
    """n×n by n×n float32 products; GFLOP/s of the fastest call (as the Go peak keeps its
    best), the median beside it."""
    import torch
    n = spec['size']
    gen = torch.Generator().manual_seed(args.seed)
    a = torch.randn(n, n, generator=gen)
    b = torch.randn(n, n, generator=gen)
    load0 = host.load_1min()
    warm, timed, busy = timing.run(lambda: torch.mm(a, b), max(args.warmup, 1), args.repeats)
    r = dict(config=spec['name'], go_name='', go_table='matrix-multiply peak', mode='sgemm', model='sgemm',
             size=n, batch=1, gflop=round(flops.sgemm(n) / 1e9, 3))
    r.update(timing.fields(warm, timed, busy, 1, flops.sgemm(n)))
    r['gflops_per_s'] = round(flops.sgemm(n) / min(timed) / 1e9, 1)  # best call, like the Go peak
    r.update(peak_rss_mib=host.peak_rss_mib(), loadavg_1m=[load0, host.load_1min()])
    return r
