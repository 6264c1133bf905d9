// Package transform holds the official transforms and augmentations that turn decoded
// [media.Frames] into model-ready [media.Clip]s: the pretraining augmentation (Pretrain), the
// video probe's training augmentation (ProbeTrainVideo, with RandAugment and random erasing)
// and evaluation views (EvalVideo), and the image probe's transforms (ImageTrain with
// AutoAugment, ImageEval). Resizing, the augmentation operations and the random draws
// reproduce PIL, OpenCV and torchvision as the official code calls them.
package transform
