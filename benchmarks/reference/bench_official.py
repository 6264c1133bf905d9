#!/usr/bin/env python3
"""Times the official PyTorch V-JEPA code (facebookresearch/jepa from $JEPA_SRC, float32,
CPU) on the cases of `vjepa bench`, with vjepa-go's FLOP formulas. README.md says what each
mode times and how to set it up.

Modes: fwd (encoder forward, no grad), fwdbwd (encoder forward + backward), step (the whole
pretraining step of app/vjepa/train.py), stepfwd (its forward half, no grad), sgemm (torch's
float32 n×n product, beside the Go matrix-multiply peak; config sgemm-N).

Each (config, mode) runs in a child process of its own (--isolate), so its peak RSS is its
own. The script re-executes itself with glibc malloc told to reuse freed memory instead of
mapping fresh pages (MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_=2**40): first-touch page
faults on every large activation cost more than the arithmetic in some VMs.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from refkit import cases, encoder, host, official, sgemm, step  # noqa: E402

KIT = 'vjepa-go-reference'
SCHEMA_VERSION = 2  # 2: mode sgemm and cores_busy
MALLOC_ENV = {'MALLOC_MMAP_MAX_': '0', 'MALLOC_TRIM_THRESHOLD_': str(1 << 40)}
RESULT_TAG = 'REFERENCE_RESULT '


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog='configs: ' + ', '.join(cases.NAMED) +
                                 ', MODEL-FRAMESxCROP[-pPATCH] or sgemm-N')
    ap.add_argument('--configs', default=None,
                    help='comma list of configs (default: the Go report\'s rows, see --modes)')
    ap.add_argument('--modes', default=None,
                    help='comma list of fwd,fwdbwd,step,stepfwd,sgemm. With neither --configs nor --modes the '
                         'Go report\'s rows run: fwd on vit_tiny-8x112, vit_small-16x224, '
                         'vit_base-16x224 and step on vit_tiny-8x112, vit_small-16x224, '
                         'cpu-default. Otherwise every config x every mode '
                         '(defaults: those four configs / fwd,fwdbwd,step)')
    ap.add_argument('--quick', action='store_true',
                    help='skip the cases `vjepa bench --quick` skips (ViT-B fwd, ViT-S step)')
    ap.add_argument('--batch', type=int, default=None,
                    help='clips per iteration for every case (default: the Go case\'s: fwd/fwdbwd 2; '
                         'step 4, cpu-default step 24)')
    ap.add_argument('--pred-depth', type=int, default=None,
                    help='predictor blocks (default: the Go case\'s: 12; cpu-default 3)')
    ap.add_argument('--pred-dim', type=int, default=None,
                    help='predictor width, divisible by the encoder head count (default: the '
                         'Go case\'s: 384; cpu-default 96)')
    ap.add_argument('--masks', choices=['both', 'short', 'long'], default='both',
                    help="step: which of vitl16.yaml's mask configs (both = the paper's and Go's)")
    ap.add_argument('--match-masks', default=None, metavar='KC/KP,KC/KP',
                    help='step: instead of the first draw of the official collator, use the draw '
                         '(of --match-tries successive ones) whose context/target lengths are '
                         'closest to these, one KC/KP per mask config, e.g. the Go report\'s '
                         '"72/100, 28/140". Only with one config per run')
    ap.add_argument('--match-tries', type=int, default=2000,
                    help='draws searched by --match-masks (stops early at an exact match)')
    ap.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    ap.add_argument('--warmup', type=int, default=1, help='untimed iterations first')
    ap.add_argument('--repeats', type=int, default=5, help='timed iterations (median reported)')
    ap.add_argument('--seed', type=int, default=0,
                    help='model init torch.manual_seed(seed); clip Generator(seed+1); mask '
                         'positions: global RNG re-seeded with seed')
    ap.add_argument('--loggers', action=argparse.BooleanOptionalAction, default=True,
                    help="step: include train.py's grad_logger/adamw_logger calls in the timed step")
    ap.add_argument('--malloc-tune', action=argparse.BooleanOptionalAction, default=True,
                    help='re-exec with %s (see module doc)' % MALLOC_ENV)
    ap.add_argument('--isolate', action=argparse.BooleanOptionalAction, default=True,
                    help='one fresh child process per (config, mode): per-case peak RSS')
    ap.add_argument('--json', default=None, help='also write the results here (JSON)')
    ap.add_argument('--dry-run', action='store_true',
                    help='print the cases (batch, predictor, Go row) and exit')
    ap.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    for k in ('threads', 'repeats'):
        if getattr(args, k) < 1:
            ap.error(f'--{k} must be >= 1')
    if args.warmup < 0 or (args.batch is not None and args.batch < 1):
        ap.error('--warmup must be >= 0 and --batch >= 1')
    if args.match_masks is not None:
        try:
            args.match = [tuple(int(v) for v in kk.strip().split('/'))
                          for kk in args.match_masks.split(',')]
            assert all(len(kk) == 2 for kk in args.match)
        except (ValueError, AssertionError):
            ap.error(f'--match-masks {args.match_masks!r}: want KC/KP[,KC/KP...]')
        n_cfg = 1 if args.masks != 'both' else 2
        if len(args.match) != n_cfg:
            ap.error(f'--match-masks gives {len(args.match)} KC/KP pairs for {n_cfg} mask config(s)')
        if args.configs is None or len(args.configs.split(',')) != 1:
            ap.error('--match-masks needs exactly one --configs entry (token counts are per case)')
    else:
        args.match = None
    return args


def run_case(config, mode, args, jepa_src):
    """One case in this process."""
    spec = cases.spec(config)
    if mode == 'sgemm':
        return sgemm.run(spec, args)
    if mode in ('step', 'stepfwd'):
        return step.run(spec, mode, args, jepa_src)
    return encoder.run(spec, mode, args)


def torch_env(threads):
    """The PyTorch side's threads and BLAS."""
    import torch
    torch.set_num_threads(threads)
    libs = host.blas_libraries()
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(),
            'interop_threads': torch.get_num_interop_threads(), 'blas': libs,
            'blas_variant': host.blas_variant(libs)}


def describe(r):
    """One human-readable line per result."""
    if r.get('error'):
        return f"{r['config']:18s} {r['mode']:6s} ERROR {r['error']}"
    if r['mode'] == 'sgemm':
        return (f"{r['config']:18s} sgemm  n={r['size']:<5d} best {r['min_s']:8.4f}s  "
                f"{r['gflops_per_s']:6.1f} GFLOP/s  cores busy {r['cores_busy']}")
    head = f"{r['config']:18s} {r['mode']:6s} B={r['batch']:<3d} N={r['tokens']:<5d}"
    if r['mode'] in ('step', 'stepfwd'):
        head += f" pred {r['pred_depth']}x{r['pred_dim']} Kc={r['Kc']} Kp={r['Kp']}"
    return (f"{head} {r['gflop']:9.2f} GFLOP  median {r['median_s']:8.3f}s "
            f"[{r['min_s']:.3f}..{r['max_s']:.3f}]  {r['clips_per_s']:8.3f} clips/s  "
            f"{r['gflops_per_s']:6.1f} GFLOP/s  cores busy {r['cores_busy']}  peak RSS {r['peak_rss_mib']:.0f} MiB  "
            f"load {r['loadavg_1m']}")


def child_argv(args, config, mode):
    argv = [sys.executable, os.path.abspath(__file__), '--child', '--no-isolate',
            '--configs', config, '--modes', mode, '--threads', str(args.threads),
            '--warmup', str(args.warmup), '--repeats', str(args.repeats),
            '--seed', str(args.seed), '--masks', args.masks,
            '--loggers' if args.loggers else '--no-loggers',
            '--malloc-tune' if args.malloc_tune else '--no-malloc-tune']
    for flag, v in (('--batch', args.batch), ('--pred-depth', args.pred_depth),
                    ('--pred-dim', args.pred_dim), ('--match-masks', args.match_masks),
                    ('--match-tries', args.match_tries if args.match_masks else None)):
        if v is not None:
            argv += [flag, str(v)]
    return argv


def run_isolated(config, mode, args):
    """Run one case in a child process; stream its output; return (result, env)."""
    proc = subprocess.Popen(child_argv(args, config, mode), stdout=subprocess.PIPE, text=True)
    result = None
    for line in proc.stdout:
        if line.startswith(RESULT_TAG):
            result = json.loads(line[len(RESULT_TAG):])
        else:
            print(line, end='', flush=True)
    rc = proc.wait()
    if result is None:
        why = f'child exited with status {rc}'
        if rc == -9:
            why += ' (SIGKILL: out of memory?)'
        return {'config': config, 'mode': mode, 'error': why}, None
    return result['result'], result['env']


def main():
    args = parse_args()
    if args.malloc_tune and any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, **MALLOC_ENV))
    if not args.malloc_tune and not args.child:
        for k in MALLOC_ENV:  # children inherit the environment
            os.environ.pop(k, None)
    todo = cases.plan(args.configs, args.modes, args.quick)
    if args.dry_run:
        for config, mode in todo:
            sp = cases.spec(config)
            if mode == 'sgemm':
                print(f"{config:18s} sgemm   {sp['size']}x{sp['size']} float32 product  Go row: matrix-multiply peak")
                continue
            is_step = mode in ('step', 'stepfwd')
            b = args.batch or sp['step_batch' if is_step else 'enc_batch']
            extra = ''
            if is_step:
                pd = args.pred_depth if args.pred_depth is not None else sp['pred_depth']
                pw = args.pred_dim if args.pred_dim is not None else sp['pred_dim']
                extra = f" pred {pd}x{pw} masks {args.masks}"
            print(f"{config:18s} {mode:7s} {sp['model']}"
                  f"{'' if sp['depth'] is None else ' depth %d' % sp['depth']} "
                  f"{sp['frames']}x{sp['crop']} patch {sp['patch']} tubelet {sp['tubelet']} "
                  f"batch {b}{extra}  Go row: {' / '.join(x for x in cases.report_row(config, mode) if x) or '-'}")
        return

    if args.child:  # exactly one case; report it on one tagged line
        (config, mode), = todo
        jepa_src = official.import_source() if mode != 'sgemm' else None  # sgemm is torch alone
        env = torch_env(args.threads)
        r = run_case(config, mode, args, jepa_src)
        r['rss_scope'] = 'case'
        print(describe(r), flush=True)
        print(RESULT_TAG + json.dumps({'env': env, 'result': r}), flush=True)
        return

    env = {
        'date_utc': datetime.datetime.utcnow().isoformat(timespec='seconds') + 'Z',
        'python': platform.python_version(), 'python_executable': sys.executable,
        'machine': platform.machine(), 'cpu': host.cpu_model(), 'cpus': os.cpu_count(),
        'malloc_env': {k: os.environ.get(k) for k in MALLOC_ENV},
        'thread_env': {k: os.environ.get(k) for k in
                       ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'GOMP_CPU_AFFINITY')},
        'jepa_src': official.source_dir(),
        'jepa_commit': os.environ.get('JEPA_COMMIT'),
        'isolate': args.isolate,
    }
    print(f"# reference kit: {len(todo)} case(s), threads={args.threads} warmup={args.warmup} "
          f"median of {args.repeats}  cpus={env['cpus']} ({env['cpu']})  "
          f"malloc_env={env['malloc_env']}  isolate={args.isolate}  "
          f"loadavg(1m)={host.load_1min()} (other work on the box skews timings; OpenMP "
          f"barriers degrade badly when cores are oversubscribed)", flush=True)
    results = []
    torch_info = None
    if not args.isolate:
        jepa_src = official.import_source()
        torch_info = torch_env(args.threads)
    for config, mode in todo:
        if args.isolate:
            r, e = run_isolated(config, mode, args)
            if e and torch_info is None:
                torch_info = e
        else:
            r = run_case(config, mode, args, jepa_src)
            r['rss_scope'] = 'process'  # ru_maxrss: peak of this process so far
            print(describe(r), flush=True)
        if r.get('error'):
            print(describe(r), flush=True)
        results.append(r)
    env.update(torch_info or {})
    if torch_info:
        print(f"# torch {env['torch']} threads={env['threads']}  blas={env['blas_variant']}: "
              f"{' '.join(env['blas']) or 'unknown'}")
        if env['blas_variant'] != 'openblas-openmp':
            print('# WARNING: torch is not using the OpenMP OpenBLAS; timings are not '
                  'representative (benchmarks/reference/README.md, "Setup")')
    if args.json:
        d = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(d, exist_ok=True)
        out = {'kit': KIT, 'schema_version': SCHEMA_VERSION, 'env': env,
               'args': {k: v for k, v in vars(args).items()
                        if k not in ('child', 'match', 'dry_run')},
               'command': ' '.join([os.path.basename(sys.argv[0])] + sys.argv[1:]),
               'results': results}
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=1, ensure_ascii=False)
        print(f'# wrote {args.json}')
    if any(r.get('error') for r in results):
        sys.exit(1)


if __name__ == '__main__':
    main()
