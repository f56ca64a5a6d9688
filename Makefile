# One rule per table; each depends on its inputs and on the code of its stage,
# so `make` after a change reruns only what is stale. `make` with nothing changed does no work.
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

PYTHON ?= python3
SHARED ?= ../shared
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
INPUT  ?= seeds
OUT    ?= outputs
RUN    := $(PY) -m pipeline
# Stages draw progress bars when stderr is a terminal; `make QUIET=--quiet` turns them and their row counts off.
QUIET  ?=

INPUTS := $(INPUT) $(wildcard $(INPUT)/*)
COMMON := pipeline/__init__.py pipeline/config.py pipeline/schemas.py pipeline/stages.py pipeline/io.py pipeline/errors.py \
          pipeline/runner.py pipeline/cli.py pipeline/cache.py pipeline/parallel.py $(STAMP)
PARSE  := pipeline/nlp.py pipeline/parse.py $(wildcard models/entities/*)

# Stages build the tables in $(WORK); `publish` then switches the whole set into $(OUT), so readers
# of $(OUT) never see tables of two builds side by side and a failed build leaves the last set.
WORK   := $(OUT)/.work
TABLES := $(WORK)/articles.parquet $(WORK)/sentences.parquet $(WORK)/entities.parquet $(WORK)/timexes.parquet $(WORK)/claims.parquet \
          $(WORK)/claim_clusters.parquet $(WORK)/conflicts.parquet

REPORT := $(WORK)/report/conflicts.html
PUBLISHED := $(OUT)/manifest.json

.PHONY: all install test eval bench bench-dedup models docs clean distclean shared-data

all: $(PUBLISHED)

$(PUBLISHED): $(TABLES) $(REPORT)
	$(RUN) publish --output $(OUT)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(WORK)/articles.parquet: $(INPUTS) pipeline/ingest.py pipeline/webpage.py $(COMMON)
	$(RUN) ingest --input $(INPUT) --output $(WORK)

$(WORK)/sentences.parquet: $(WORK)/articles.parquet pipeline/segment.py pipeline/furniture.py $(PARSE) $(COMMON)
	$(RUN) segment --output $(WORK) $(QUIET)

$(WORK)/entities.parquet: $(WORK)/sentences.parquet pipeline/entities.py models/entities/aliases.json $(PARSE) $(COMMON)
	$(RUN) entities --output $(WORK) $(QUIET)

$(WORK)/timexes.parquet: $(WORK)/sentences.parquet pipeline/timexes.py $(wildcard pipeline/timex/*.py) $(wildcard models/timex/*) $(PARSE) $(COMMON)
	$(RUN) timexes --output $(WORK) $(QUIET)

$(WORK)/claims.parquet: $(WORK)/entities.parquet $(WORK)/timexes.parquet pipeline/claims.py pipeline/quantities.py \
                      pipeline/checkworthiness.py $(wildcard models/claims/*) $(wildcard models/checkworthiness/*) $(PARSE) $(COMMON)
	$(RUN) claims --output $(WORK) $(QUIET)

$(WORK)/claim_clusters.parquet: $(WORK)/claims.parquet pipeline/dedup.py pipeline/matching.py pipeline/stories.py $(wildcard pipeline/similarity/*.py) pipeline/places.py \
                              $(wildcard models/similarity/*) $(wildcard models/places/*) $(PARSE) $(COMMON)
	$(RUN) dedup --output $(WORK) $(QUIET)

$(WORK)/conflicts.parquet: $(WORK)/claim_clusters.parquet pipeline/conflicts.py pipeline/matching.py pipeline/dedup.py $(wildcard pipeline/similarity/*.py) \
                          $(wildcard models/places/*) $(COMMON)
	$(RUN) conflicts --output $(WORK) $(QUIET)

$(REPORT): $(TABLES) pipeline/report.py $(COMMON)
	$(RUN) report --output $(WORK)

docs: docs/data_dictionary.md docs/settings.md docs/stages.md
docs/data_dictionary.md: pipeline/schemas.py pipeline/dictionary.py pipeline/config.py | $(STAMP)
	$(PY) -m pipeline.dictionary --write $@
docs/settings.md: pipeline/config.py pipeline/dictionary.py | $(STAMP)
	$(PY) -m pipeline.dictionary --settings $@
docs/stages.md: pipeline/stages.py pipeline/dictionary.py | $(STAMP)
	$(PY) -m pipeline.dictionary --stages $@

test: $(STAMP)
	$(PY) -m pytest -q

# The public data sets and corpora (read only): `make eval SHARED=DIR` when they are not in ../shared.
shared-data:
	$(if $(wildcard $(SHARED)/eval),,$(error no shared data in $(SHARED)/eval: give its folder, as in make eval SHARED=DIR))

# Quality per stage on the public data in $(SHARED)/eval, printed next to the published figures.
eval: export PIPELINE_SHARED := $(abspath $(SHARED))
eval: shared-data $(STAMP)
	$(PY) -m pipeline.evaluation.timeml --split both
	$(PY) -m pipeline.evaluation.checkworthiness --data $(SHARED)/eval/claimbuster
	$(PY) -m pipeline.evaluation.mrpc --data $(SHARED)/eval/mrpc
	$(PY) -m pipeline.evaluation.claims
	$(PY) -m pipeline.evaluation.decontext
	$(PY) -m pipeline.evaluation.fields
	$(PY) -m pipeline.evaluation.conflicts
	$(PY) -m pipeline.evaluation.events --corpus $(SHARED)/corpora/ecbplus-dev.jsonl --gold $(SHARED)/eval/ecbplus/events-dev.json
	$(PY) -m pipeline.evaluation.stories --corpus $(SHARED)/corpora/gva-dev.jsonl --scorer $(SHARED)/eval/stories/score_stories.py
	$(PY) -m pipeline.evaluation.extraction --data $(SHARED)/eval/extraction

# Retrain the shipped models from the shared data, reproducibly (same data -> same artifact bytes).
models: shared-data $(STAMP)
	$(PY) -m pipeline.training.checkworthiness --data $(SHARED)/eval/claimbuster --out models/checkworthiness
	$(PY) -m pipeline.training.similarity --data $(SHARED)/eval/mrpc --out models/similarity

# Speed as ratios measured in one run (writes bench/results.json); dedup and conflicts scaling on
# claims grown from real corpora (writes bench/dedup_results.json; fails when what is found collapses).
BENCH_ARGS ?=
BENCH_CORPORA := bench/corpora
BENCH_SOURCES := $(BENCH_CORPORA)/bbc/out/claims.parquet $(BENCH_CORPORA)/ecbplus-dev/out/claims.parquet
PIPELINE_CODE := $(wildcard pipeline/*.py pipeline/*/*.py) $(wildcard models/*/*)
DEDUP_BENCH_ARGS ?= $(foreach s,$(BENCH_SOURCES),--source $(dir $(s)))
bench: export PIPELINE_SHARED := $(abspath $(SHARED))
bench: shared-data $(STAMP) $(BENCH_SOURCES)
	$(PY) -m bench.throughput $(BENCH_ARGS)
	$(PY) -m bench.dedup $(DEDUP_BENCH_ARGS) --max-seconds 300
	$(PY) -m bench.worst

# Dedup and conflicts alone at 10k -> 100k -> 1M claims (1M takes about half an hour on one core).
bench-dedup: shared-data $(STAMP) $(BENCH_SOURCES)
	$(PY) -m bench.dedup $(DEDUP_BENCH_ARGS) --max-seconds 3600

# The benchmark corpora: a copy of the shared corpus, then a pipeline run over it.
.PRECIOUS: $(BENCH_CORPORA)/%/in/input.jsonl
$(BENCH_CORPORA)/%/in/input.jsonl: $(SHARED)/corpora/%.jsonl
	mkdir -p $(@D) && cp $< $@

$(BENCH_CORPORA)/%/out/claims.parquet: $(BENCH_CORPORA)/%/in/input.jsonl $(PIPELINE_CODE) $(STAMP)
	$(RUN) run --input $(<D) --output $(@D) --quiet

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf $(VENV) bench/results.json bench/dedup_results.json bench/worst_results.json $(BENCH_CORPORA)
