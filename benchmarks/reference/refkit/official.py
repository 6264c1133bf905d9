"""Access to the official code: where it lives ($JEPA_SRC) and the run-time adjustments the
kit makes to its *objects* (never to its files)."""
import logging
import os
import sys

# Where the official tree is looked for when $JEPA_SRC is unset (relative to the cwd).
DEFAULT_SOURCE = 'jepa-src'


def source_dir():
    """The official tree's location as configured, whether or not it exists."""
    return os.path.abspath(os.environ.get('JEPA_SRC', DEFAULT_SOURCE))


def import_source():
    """Make `import src...` / `import app...` load the official tree; returns its path.
    Exits with one line when $JEPA_SRC does not hold a facebookresearch/jepa export."""
    src = source_dir()
    marker = os.path.join(src, 'src', 'models', 'vision_transformer.py')
    if not os.path.isfile(marker):
        raise SystemExit(f'JEPA_SRC={src!r} is not an export of facebookresearch/jepa '
                         f'({marker} is missing); see benchmarks/reference/README.md, "Setup"')
    if src not in sys.path:
        sys.path.insert(0, src)
    return src


def quiet_logging():
    """app/vjepa/utils.py sets the root logger to INFO on import and logs whole model
    reprs; keep the kit's output to its own lines."""
    logging.getLogger().setLevel(logging.WARNING)


def use_explicit_attention(*models):
    """Put every official Attention module on its explicit softmax(q·kᵀ/√d)·v branch and
    return how many there were.

    The official constructors accept use_sdpa but never hand it to Attention (Block does not
    pass it on, and the ViT and predictor swallow it in **kwargs), so Attention keeps its
    default of True, which calls F.scaled_dot_product_attention: absent from torch 1.13.
    Both branches compute the same function (dropout is 0 in every official config); the
    kit uses the explicit one on every torch version so figures stay comparable."""
    from src.models.utils.modules import Attention
    count = 0
    for model in models:
        for module in model.modules():
            if isinstance(module, Attention):
                module.use_sdpa = False
                count += 1
    return count


def preset_with(video_vit, name, **sizes):
    """A name under which `video_vit` (the imported official module) builds preset `name`
    with the given VisionTransformer(...) arguments (depth, embed_dim, ...) replaced and every
    other argument the preset's; `name` itself when every size is None. The new name lives in
    the imported module's namespace only."""
    over = {k: v for k, v in sizes.items() if v is not None}
    if not over:
        return name
    preset, vit_class = video_vit.__dict__[name], video_vit.VisionTransformer

    def build(**kwargs):
        def sized(*args, **kw):
            kw.update(over)
            return vit_class(*args, **kw)
        video_vit.VisionTransformer = sized
        try:
            return preset(**kwargs)
        finally:
            video_vit.VisionTransformer = vit_class
    key = name + ''.join(f'_{k}{v}' for k, v in over.items())
    video_vit.__dict__[key] = build
    return key
