"""Training jobs: one candidate model at a time, trained in the background from the current data plus the
trainers' accepted labels, registered, then put through the promotion gate."""
