# Benchmarks (included by the Makefile). Results go to the git-ignored bench/results/.
.PHONY: bench bench-nlu bench-model bench-profile bench-abuse bench-parse bench-serving bench-failover bench-long bench-capacity bench-scaling

# all-MiniLM-L6-v2 (MINILM_DIR and its fetch rule are in the main Makefile: config.yml needs it too).
bench-model: $(MINILM_DIR)/model.safetensors

# A/B in one run: BASELINE_ENV="NAME=value ..." and/or BASELINE_MODEL=models/<older>.tar.gz also start a
# Frontdesk stack with that environment or model (the "before", e.g. FRONTDESK_RASA_PATCHES_OFF=all) and
# load it in turns with the others (bench/serving.py).
SERVING_AB = $(if $(BASELINE_ENV),--baseline-env $(BASELINE_ENV)) $(if $(BASELINE_MODEL),--baseline-model $(BASELINE_MODEL))

# Serving (first: it prints the throughput ratio), long conversations, open-loop capacity, training, project
# NLU and knowledge-base retrieval on its held-out questions (as make kb-eval): about an hour on 2 cores.
bench: $(STAMP) $(MODEL_STAMP) bench-model
	$(PY) -m bench.run bench $(SERVING_AB)

# Banking77, rasa init default vs ours: the long NLU part (about 25 minutes on 2 cores). The untouched
# default (DIET 100 epochs) would take hours here (about 2 minutes an epoch), so its epochs are capped at 5
# and the results table says so; BENCH_NLU_ARGS= runs it uncapped, "--limit 30" trains on 30 per intent.
BENCH_NLU_ARGS ?= --default-epochs 5
bench-nlu: $(STAMP) bench-model
	$(PY) -m bench.run nlu $(BENCH_NLU_ARGS)

# Where serving time goes: py-spy samples the Rasa server and the action server under load.
$(VENV)/bin/py-spy: | $(STAMP)
	$(PY) -m pip install --quiet -c requirements.txt py-spy==0.4.3

bench-profile: $(STAMP) $(MODEL_STAMP) $(VENV)/bin/py-spy
	$(PY) -m bench.profile $(PROFILE_ENV)

# Customers chatting while 100 requests/s hit the console's public routes for 30 s (about 2 minutes).
bench-abuse: $(STAMP) $(MODEL_STAMP)
	$(PY) -m bench.abuse

# NLU parse latency, served model vs a baseline model in the same run (BASELINE=models/<older>.tar.gz).
bench-parse: $(STAMP) $(MODEL_STAMP)
	$(PY) -m bench.parse --baseline $(BASELINE)

# Only the serving part of `make bench`: Frontdesk vs a bare rasa init bot, same load, same run.
bench-serving: $(STAMP) $(MODEL_STAMP) bench-model
	$(PY) -m bench.run serving $(SERVING_AB)

# Only the long-conversation part of `make bench`: latency at turns 191-200 against turns 1-10 of 200-turn
# conversations (1 and 4 at once), Frontdesk and the bare bot (6-8 minutes). ARGS="--turns 300 --concurrent 4".
bench-long: $(STAMP) $(MODEL_STAMP) bench-model
	$(PY) -m bench.run long $(ARGS)

# Only the capacity part of `make bench`: Poisson arrivals, 5-20 s pauses, the most simultaneous conversations
# one Rasa process holds with p95 < 300 ms, Frontdesk and the bare bot (about 17 minutes: 8 steps of 106 s).
bench-capacity: $(STAMP) $(MODEL_STAMP) bench-model
	$(PY) -m bench.run capacity

# The kill test (bench/failover.py): customers chat through nginx on the scaled stack (make run-scaled's) while
# a Rasa replica and an action server get kill -9, then PostgreSQL and Redis are cut off for Rasa (a TCP proxy
# of the benchmark's own); lost messages, duplicate refunds, events missing from the tracker store and time to
# recover (about 12 minutes). FAILOVER_ARGS="--lock-lifetime 15 --outage-mode blackhole" for the variants.
bench-failover: $(STAMP) $(MODEL_STAMP) nginx
	NGINX=$(NGINX) $(PY) -m bench.failover $(FAILOVER_ARGS)

# The scaling curve (bench/scaling.py): closed-loop throughput through nginx at 8 and 32 conversations on the
# scaled stack with 1 Rasa replica and with 2 (both up, in turns), CPU seconds per message of every process
# kind, peak RSS and PostgreSQL/Redis connections per replica (about 12 minutes).
# SCALING_ARGS="--levels 8 32 --seconds 40 --rounds 2" (the defaults).
bench-scaling: $(STAMP) $(MODEL_STAMP) nginx
	NGINX=$(NGINX) $(PY) -m bench.scaling $(SCALING_ARGS)
