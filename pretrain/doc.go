// Package pretrain implements the V-JEPA self-supervised pretraining loop: multiblock-3D masks,
// the context/target/predictor step with L1 loss on layer-normalised target features, AdamW with
// the official parameter groups and schedules, the EMA target encoder, and resumable checkpoints.
package pretrain
