# One rule per table; each depends on its inputs and on the code of its stage,
# so `make` after a change reruns only what is stale. `make` with nothing changed does no work.
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
INPUT  ?= seeds
OUT    ?= outputs
RUN    := $(PY) -m pipeline

INPUTS := $(INPUT) $(wildcard $(INPUT)/*)
COMMON := pipeline/__init__.py pipeline/config.py pipeline/schemas.py pipeline/io.py pipeline/errors.py \
          pipeline/runner.py pipeline/cli.py $(STAMP)
PARSE  := pipeline/nlp.py pipeline/parse.py $(wildcard models/entities/*)

TABLES := $(OUT)/articles.parquet $(OUT)/sentences.parquet $(OUT)/entities.parquet $(OUT)/timexes.parquet

.PHONY: all install test eval bench models clean distclean

all: $(TABLES)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(OUT)/articles.parquet: $(INPUTS) pipeline/ingest.py $(COMMON)
	$(RUN) ingest --input $(INPUT) --output $(OUT)

$(OUT)/sentences.parquet: $(OUT)/articles.parquet pipeline/segment.py $(PARSE) $(COMMON)
	$(RUN) segment --output $(OUT) --quiet

$(OUT)/entities.parquet: $(OUT)/sentences.parquet pipeline/entities.py models/entities/aliases.json $(PARSE) $(COMMON)
	$(RUN) entities --output $(OUT) --quiet

$(OUT)/timexes.parquet: $(OUT)/sentences.parquet pipeline/timexes.py pipeline/timex.py $(wildcard models/timex/*) $(PARSE) $(COMMON)
	$(RUN) timexes --output $(OUT) --quiet

test: $(STAMP)
	$(PY) -m pytest -q

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf $(VENV) bench/results.json
