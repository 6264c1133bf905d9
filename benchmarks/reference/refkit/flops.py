"""The FLOP counts of vjepa-go's benchmarks (benchmarks/flops.go EncoderForwardFLOPs and
benchmarks/cases.go PretrainStepFLOPs), so both sides divide by the same work. Matrix
products only, a multiply-add counted as 2."""


def encoder_forward(dim, depth, tokens, tubelet, patch):
    """One clip through the tubelet embedding (2·N·3·t·p²·D) and `depth` blocks of
    24·N·D² (qkv, projection, 4× MLP) + 4·N²·D (scores and their product with v)."""
    d, n = float(dim), float(tokens)
    return 2 * n * (3 * tubelet * patch * patch) * d + depth * (24 * n * d * d + 4 * n * n * d)


def _predictor(dim, pred_dim, pred_depth, kc, kp):
    """The predictor on kc+kp tokens with its D→Dp and Dp→D linear maps."""
    return (encoder_forward(pred_dim, pred_depth, kc + kp, 0, 0)
            + 2.0 * kc * dim * pred_dim + 2.0 * kp * dim * pred_dim)


def pretrain_forward(dim, depth, tokens, tubelet, patch, pred_dim, pred_depth, kc, kp, batch):
    """The forward half of a step: the target encoder on the whole clip, then per mask
    configuration the context encoder on Kc tokens and the predictor."""
    total = encoder_forward(dim, depth, tokens, tubelet, patch)
    for c, p in zip(kc, kp):
        total += encoder_forward(dim, depth, c, tubelet, patch) + _predictor(dim, pred_dim, pred_depth, c, p)
    return batch * total


def pretrain_step(dim, depth, tokens, tubelet, patch, pred_dim, pred_depth, kc, kp, batch):
    """A whole step: the target encoder forward (no backward) plus 3× (forward and a
    backward of twice its cost) of each mask configuration's context encoder and predictor."""
    total = encoder_forward(dim, depth, tokens, tubelet, patch)
    for c, p in zip(kc, kp):
        total += 3 * (encoder_forward(dim, depth, c, tubelet, patch) + _predictor(dim, pred_dim, pred_depth, c, p))
    return batch * total


def sgemm(n):
    """One n×n by n×n product."""
    return 2.0 * n * n * n
