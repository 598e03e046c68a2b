# Task shortcuts. Every target creates .venv and installs the project into it when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ST_STAMP := $(VENV)/.installed-st

.DEFAULT_GOAL := help
.PHONY: help install serve run test eval bench soak lint format clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The sentence-transformers backend and milvus-lite, needed by the tests: torch==2.13.0 is this
# machine's local CPU build and must be in place first, or pip pulls gigabytes of CUDA packages.
$(ST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,st,st-test,milvus]'
	touch $(ST_STAMP)

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here);
# the CJK fonts make its screenshots readable.
/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk

install: $(ST_STAMP) ## Create .venv and install the project, its dev tools and the [st] and [milvus] extras

serve: $(STAMP) ## Build (or refresh, from cache) index/default from seeds/, then serve the chat on localhost
	$(BIN)/rag build seeds --index index/default
	$(BIN)/rag serve --index index/default

run: $(STAMP) ## Build (or refresh) index/default from seeds/ and run a sample search
	$(BIN)/rag build seeds --index index/default
	$(BIN)/rag search "蓬江区有多少支家庭医生团队？" --index index/default -k 3

test: $(ST_STAMP) /usr/bin/chromium ## Run the test suite (browser tests included)
	$(BIN)/python -m pytest

# The public SQuAD-format sets are read from beside the project, never committed (eval/README.md).
BENCHMARKS ?= $(firstword $(wildcard ../shared/benchmarks /work/shared/benchmarks))
XQUAD_ZH = $(BENCHMARKS)/xquad.zh.dev.json
XQUAD_EN = $(BENCHMARKS)/xquad.en.dev.json

eval: $(STAMP) ## The gold sets, then a seeded XQuAD slice in Chinese and English (floors: eval/README.md)
	$(BIN)/rag build seeds --index index/default
	$(BIN)/rag eval eval/dev.jsonl eval/test.jsonl --index index/default \
		--min hit@5=0.87 --min mrr@10=0.68 --min accuracy=0.78 --min unanswerable_accuracy=0.61 \
		--min bridge_accuracy=0.85 --min f1=0.62
	@test -f "$(XQUAD_ZH)" || { echo "no XQuAD at '$(XQUAD_ZH)': set BENCHMARKS=<folder with xquad.zh.dev.json>" >&2; exit 1; }
	$(BIN)/rag eval --squad $(XQUAD_ZH) --limit 100 \
		--min hit@5=0.97 --min accuracy=0.70
	$(BIN)/rag eval --squad $(XQUAD_ZH) --unanswerable 0.3 --limit 100 \
		--min unanswerable_accuracy=0.85 --min answerable_accuracy=0.64
	$(BIN)/rag eval --squad $(XQUAD_ZH) --questions $(XQUAD_EN) --limit 100 \
		--min hit@5=0.94 --min accuracy=0.65

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) ## Measure build, queries, HTTP load, scale and peers (benchmarks/README.md; ~1 h)
	$(BIN)/rag build seeds --index index/default
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_query.py
	$(BIN)/python benchmarks/bench_http.py
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_scale.py $(SCALE_ARGS)

soak: $(BENCH_STAMP) ## Ten minutes of constant load on a real server (errors, p99, memory growth)
	$(BIN)/rag build seeds --index index/default
	$(BIN)/python benchmarks/bench_soak.py

lint: $(ST_STAMP) ## ruff (lint + format check) and mypy
	$(BIN)/ruff check rag server tests benchmarks
	$(BIN)/ruff format --check rag server tests benchmarks
	$(BIN)/mypy
	$(BIN)/mypy --strict --ignore-missing-imports benchmarks

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix rag server tests benchmarks
	$(BIN)/ruff format rag server tests benchmarks

clean: ## Remove the venv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
