"""Timing of a callable: untimed warm-up calls, then timed ones, with the CPU time the
process used over the timed calls."""
import statistics
import time

from . import host


def run(fn, warmup, repeats):
    """(warm-up seconds, timed seconds, cores busy over the timed calls)."""
    warm, timed = [], []
    for _ in range(warmup):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    cpu0, wall0 = host.cpu_seconds(), time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        timed.append(time.perf_counter() - t0)
    wall = time.perf_counter() - wall0
    busy = (host.cpu_seconds() - cpu0) / wall if wall > 0 else 0.0
    return warm, timed, busy


def fields(warm, timed, busy, batch, flops):
    """The timing fields of a result object."""
    med = statistics.median(timed)
    return dict(median_s=round(med, 4), min_s=round(min(timed), 4), max_s=round(max(timed), 4),
                times_s=[round(t, 4) for t in timed], warmup_s=[round(t, 4) for t in warm],
                clips_per_s=round(batch / med, 3), gflops_per_s=round(flops / med / 1e9, 1),
                cores_busy=round(busy, 2))
