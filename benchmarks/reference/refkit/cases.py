"""The cases the kit can run: the rows of `vjepa bench`, built exactly as vjepa-go builds
them (benchmarks/cases.go), plus any MODEL-FRAMESxCROP[-pPATCH] and sgemm-N."""
import re

MODES = ('fwd', 'fwdbwd', 'step', 'stepfwd', 'sgemm')

# What a preset case takes from backbone.Preset and benchmarks/cases.go: patch 16, tubelet
# 2, predictor 12 blocks × 384 (the paper's vitl16.yaml; the official init_video_model
# defaults are 6 × 384), batch 2 for forwards and 4 for steps.
PRESET = dict(depth=None, patch=16, tubelet=2, pred_depth=12, pred_dim=384, enc_batch=2, step_batch=4)

# Named configs. `go_name` is the row label in vjepa-go's report ('' when it has no row).
# cpu-default is pretrain/configs/cpu-default.yaml: vit_tiny cut to 4 blocks, 8×64 px,
# patch 8, predictor 3 × 96, data.batch_size 24.
NAMED = {
    'vit_tiny-8x112': dict(model='vit_tiny', frames=8, crop=112, go_name='ViT-T 8×112'),
    'vit_small-8x112': dict(model='vit_small', frames=8, crop=112, go_name=''),
    'vit_small-16x224': dict(model='vit_small', frames=16, crop=224, go_name='ViT-S 16×224'),
    'vit_base-16x224': dict(model='vit_base', frames=16, crop=224, go_name='ViT-B 16×224'),
    'cpu-default': dict(model='vit_tiny', depth=4, frames=8, crop=64, patch=8, tubelet=2,
                        pred_depth=3, pred_dim=96, enc_batch=2, step_batch=24,
                        go_name='cpu-default (vit_tiny 8×64, patch 8)'),
}

# The rows of `vjepa bench` in its order: (config, mode, heavy). Heavy rows are left out by
# --quick, as `vjepa bench --quick` leaves them out.
DEFAULT_PLAN = [
    ('vit_tiny-8x112', 'fwd', False),
    ('vit_small-16x224', 'fwd', False),
    ('vit_base-16x224', 'fwd', True),
    ('vit_tiny-8x112', 'step', False),
    ('vit_small-16x224', 'step', True),
    ('cpu-default', 'step', False),
]
REPORT_TABLE = {'fwd': 'encoder forward', 'step': 'pretraining step',
                'stepfwd': 'pretraining step, forward phase', 'sgemm': 'matrix-multiply peak'}

_SIZED = re.compile(r'^(vit_[a-z]+)-(\d+)x(\d+)(?:-p(\d+))?$')
_SGEMM = re.compile(r'^sgemm-(\d+)$')


def spec(name):
    """The case description of config `name`."""
    s = dict(PRESET)
    if name in NAMED:
        s.update(NAMED[name])
    elif _SGEMM.match(name):
        s.update(model='sgemm', size=int(_SGEMM.match(name).group(1)), go_name='')
    elif _SIZED.match(name):
        m = _SIZED.match(name)
        s.update(model=m.group(1), frames=int(m.group(2)), crop=int(m.group(3)), go_name='')
        if m.group(4):
            s['patch'] = int(m.group(4))
    else:
        raise SystemExit(f'unknown config {name!r}: use {", ".join(NAMED)}, '
                         'MODEL-FRAMESxCROP[-pPATCH] (e.g. vit_large-16x224) or sgemm-N')
    s['name'] = name
    return s


def report_row(config, mode):
    """(row label, table) of vjepa-go's report this case stands beside, or ('', '')."""
    if mode == 'sgemm':
        return '', REPORT_TABLE['sgemm']
    base_mode = 'step' if mode == 'stepfwd' else mode
    if any(c == config and m == base_mode for c, m, _ in DEFAULT_PLAN):
        return spec(config)['go_name'], REPORT_TABLE[mode]
    return '', ''


def plan(configs, modes, quick):
    """[(config, mode)] to run: the default rows without --configs/--modes, else every
    config × every mode; --quick drops the heavy ones."""
    if configs is None and modes is None:
        cases = [(c, m) for c, m, heavy in DEFAULT_PLAN if not (quick and heavy)]
    else:
        configs = configs or 'vit_tiny-8x112,vit_small-16x224,vit_base-16x224,cpu-default'
        modes = modes or 'fwd,fwdbwd,step'
        cases = [(c, m) for c in configs.split(',') if c for m in modes.split(',') if m]
        heavy = {(c, m) for c, m, h in DEFAULT_PLAN if h}
        heavy |= {(c, 'stepfwd') for c, m in heavy if m == 'step'}
        if quick:
            cases = [cm for cm in cases if cm not in heavy]
    for config, mode in cases:
        if mode not in MODES:
            raise SystemExit(f'unknown mode {mode!r}: use {", ".join(MODES)}')
        if (mode == 'sgemm') != ('model' in spec(config) and spec(config)['model'] == 'sgemm'):
            raise SystemExit(f'{config} {mode}: mode sgemm goes with config sgemm-N and only with it')
    return cases
