// Package probe trains and evaluates attentive probes on frozen V-JEPA backbones, as the
// official frozen evaluations do (K400, SSv2, ImageNet-1K and the built-in data sets).
package probe
