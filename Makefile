# The course in two commands:
#   make lab    set up (first time only) and start JupyterLab on the course
#   make test   set up (first time only) and run every test
# Set-up is skipped when nothing it depends on changed: the stamp's name carries a hash of
# the pins and of pyproject.toml, so a changed pin reinstalls and nothing else does.

PYTHON   ?= $(shell command -v python3.11 || command -v python3)
VENV     := .venv
BIN      := $(VENV)/bin
SETUP_HASH := $(shell cat requirements.txt constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
STAMP    := $(VENV)/.k2tf-setup-$(SETUP_HASH)

# make lab HEADLESS=1 [HOST=0.0.0.0] [PORT=8888]: for servers; prints the URL, opens no browser
HOST     ?= 127.0.0.1
PORT     ?= 8888
HEADLESS ?=
LAB_ARGS := $(if $(HEADLESS),--no-browser --ip=$(HOST) --port=$(PORT),--port=$(PORT))
# containers and CI machines often run as root, which JupyterLab refuses without this flag
LAB_ARGS += $(if $(filter 0,$(shell id -u)),--allow-root)
# pytest-xdist workers: one per core (2 on the CI machine); --dist loadfile keeps each
# notebook (and each test module) whole on one worker, since a notebook's cells share a kernel
JOBS     ?= auto

.PHONY: setup browser lab test bench gallery release format outputs lock doctor clean help

help:
	@echo "make lab       set up and start JupyterLab on the course (HEADLESS=1 HOST= PORT= for servers)"
	@echo "make test      set up and run every test (the browser tests included: see make browser)"
	@echo "make bench     measure lessons, grading and training loops: benchmarks/REPORT.md (ONLY=loops,...)"
	@echo "make browser   install the system Chromium the browser tests drive (apt-get, as root)"
	@echo "make gallery   re-take the README's screenshots (docs/gallery/) with the browser tests"
	@echo "make release   write exercises/ from solutions/"
	@echo "make outputs   re-run lessons and solutions and store their outputs (NB=path for one)"
	@echo "make format    normalise every course notebook"
	@echo "make lock      re-resolve constraints.txt from requirements.txt"
	@echo "make doctor    print versions, devices and the offline-data check"

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "the course needs Python 3.11, found " + sys.version.split()[0]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/k2tf install-kernel
	@rm -f $(VENV)/.k2tf-setup-*
	@touch $@
	@echo "set-up done: $(VENV) holds the course's pinned packages and the 'k2tf' kernel"

lab: setup
	$(BIN)/jupyter lab $(LAB_ARGS) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb notebooks/00_welcome.ipynb

# The browser tests (tests/e2e) drive the operating system's Chromium through Playwright, which
# `setup` installs; Playwright's own browser download needs the internet, so it is not used.
# Without a Chromium (and no root to install one) the browser tests skip and say so.
CHROMIUM := $(or $(K2TF_CHROMIUM),$(shell command -v chromium || command -v chromium-browser || command -v google-chrome))
browser: setup
	@if [ -n "$(CHROMIUM)" ]; then \
	  echo "browser tests will drive $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Chromium for the browser tests: apt-get install chromium"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	    || echo "could not install chromium: the browser tests will skip"; \
	else \
	  echo "no Chromium: the browser tests will skip. Install your system's chromium package"; \
	  echo "(Debian/Ubuntu: sudo apt-get install chromium) or set K2TF_CHROMIUM=/path/to/chromium"; \
	fi

test: setup browser
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

# Benchmarks (about 40 minutes on 2 cores; keep the machine otherwise idle). Not part of `make test`:
# speeds are measured and reported, never asserted. ONLY=loops,lessons,grading,scaling,handins,dask re-measures
# some and keeps the others; `k2tf bench --report` rewrites the report from results.json.
ONLY ?=
bench: setup
	$(BIN)/k2tf bench $(if $(ONLY),--only $(ONLY))

# Screenshots for the README, taken by the browser tests and shrunk to small PNGs.
gallery: setup browser
	rm -f docs/gallery/*.png
	K2TF_GALLERY=docs/gallery $(BIN)/python -m pytest tests/e2e -q

release: setup
	$(BIN)/k2tf release

format: setup
	$(BIN)/k2tf format

# Re-run lessons and solutions in fresh kernels and store their outputs, then release
# the exercises. NB=notebooks/01_keras_in_ten_minutes.ipynb runs just one.
NB ?= $(wildcard notebooks/[0-9][0-9]_*.ipynb solutions/[0-9][0-9]_*.ipynb)
outputs: setup
	$(BIN)/k2tf execute $(NB)
	$(BIN)/k2tf release

# Resolve every transitive pin from requirements.txt in a throw-away environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	{ echo "# Every package the course installs, pinned. Generated by 'make lock' from requirements.txt: do not edit."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | sort -f; } > constraints.txt
	rm -rf .lock-venv

doctor: setup
	$(BIN)/k2tf doctor

clean:
	rm -rf $(VENV) grades .pytest_cache
