"""vjepa-go's reference kit: runs the official PyTorch V-JEPA code (facebookresearch/jepa,
imported from $JEPA_SRC, never copied) on the cases of `vjepa bench`, and the official
trainer on a vjepa-go recipe. See ../README.md."""
