"""Benchmarks: `make bench` (serving, training, project NLU) and `make bench-nlu` (Banking77)."""
