"""Developer tooling: the process runner behind `make run`, data checks and evaluation gates."""
