# The README's commands. `make demo` runs the dashboard over sample_data/ on the local Neo4j;
# `make test` runs the whole suite against a throwaway Neo4j. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
SIZE ?= 100000
BENCH_ARGS ?=
export GRAPHCRM_HOME ?= $(CURDIR)/.graphcrm/neo4j

.PHONY: demo test install system-deps neo4j stop lint format bench sample-data clean

demo: install
	$(BIN)/graphcrm neo4j start
	$(BIN)/graphcrm load sample_data
	$(BIN)/graphcrm analyze all --write --quiet
	$(BIN)/graphcrm serve

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

install: system-deps $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

# Java 17 and Maven build and run Neo4j; Chromium drives the browser test. Installed from Debian's
# packages when missing (needs root or sudo).
system-deps:
	@missing=""; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jdk-headless"; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

neo4j: install
	$(BIN)/graphcrm neo4j start

stop:
	$(BIN)/graphcrm neo4j stop

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

sample-data: install
	$(BIN)/graphcrm generate sample_data --customers 400 --seed 7
	$(BIN)/graphcrm generate sample_data/hubspot --customers 400 --seed 7 --format hubspot
	$(BIN)/graphcrm generate sample_data/salesforce --customers 400 --seed 7 --format salesforce

# Benchmarks at SIZE customers (plus the growth sizes); figures appended to bench/RESULTS.md.
# BENCH_ARGS passes options on, e.g. BENCH_ARGS="--only load,project --growth ''".
bench: install
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m bench.run --size $(SIZE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info test-output bench/out
