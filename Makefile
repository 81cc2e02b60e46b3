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
export MPLBACKEND := Agg

.PHONY: setup lab test nbval unit browser-deps refresh clean

## setup: create .venv and install the pinned requirements and lessons_lib
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
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
test: setup browser-deps
	$(BIN)/python -m pytest

## nbval: only the notebook regression check (strict nbval)
nbval: setup
	$(BIN)/python -m pytest notebooks

## unit: only the library, widget and browser tests
unit: setup browser-deps
	$(BIN)/python -m pytest tests

## refresh: re-execute every notebook in place to refresh its stored outputs
refresh: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=$(CELL_TIMEOUT) --ExecutePreprocessor.kernel_name=python3 $(NOTEBOOKS)

clean:
	rm -rf $(VENV) artifacts .pytest_cache *.egg-info
