"""tools/fpulab-lava's modules: LAVA jobs for fpulab (docs/lava.md)."""
