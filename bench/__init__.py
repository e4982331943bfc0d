"""Speed and size figures (printed, never asserted): run as modules from the repository root,
e.g. ``python -m bench.bench_foundation``."""
