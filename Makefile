# The course in two commands:
#   make lab    set up (first time only) and start JupyterLab on the course
#   make test   set up (first time only) and run every test
# Set-up is skipped when nothing it depends on changed: the stamp's name carries a hash of
# the pins and of pyproject.toml, so a changed pin reinstalls and nothing else does.

# The Pythons the pins resolve on, one set of pins for all (tests/test_setup_and_pins.py resolves
# each): 3.11 from 3.11.5 (soupsieve 4.1.3 needs it), 3.12 and 3.13. Not 3.10: numpy 2.4,
# matplotlib 3.11, ipython 9 and tornado 6.6 need 3.11. The first that runs is used, 3.11 first
# (the one CI runs); PYTHON=/path/to/python chooses another.
PYTHON_OK := import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))
PYTHON_NEEDED := Python 3.11 (3.11.5 or later), 3.12 or 3.13
PYTHONS  ?= python3.11 python3.12 python3.13 python3
PYTHON   ?= $(shell for p in $(PYTHONS); do $$p -c '$(PYTHON_OK)' 2>/dev/null && { command -v $$p; break; }; done)
VENV     := .venv
BIN      := $(VENV)/bin
SETUP_HASH := $(shell cat requirements.txt constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
STAMP    := $(VENV)/.k2tf-setup-$(SETUP_HASH)

# make lab HEADLESS=1 [HOST=0.0.0.0] [PORT=8888]: for servers; prints the URL, opens no browser
HOST     ?= 127.0.0.1
PORT     ?= 8888
HEADLESS ?=
LAB_ARGS := $(if $(HEADLESS),--no-browser --ip=$(HOST) --port=$(PORT),--port=$(PORT))
# The lab opens on the welcome notebook with the file browser at the course's root (not in
# notebooks/), so exercises/ is in sight: JupyterLab 4 takes the browser's folder only from the
# `file-browser-path` query of a /lab/tree URL (its tree resolver; a saved workspace's folder is
# not restored when a URL names a file).
LAB_HOME := /lab/tree/notebooks/00_welcome.ipynb?file-browser-path=/
# Jupyter prints its URL as that path + "?token=…", which a query in the path breaks (the token
# becomes part of file-browser-path): it prints the server's root instead, which redirects to
# LAB_HOME keeping the token (the browser `make lab` opens gets LAB_HOME itself, token added
# right; no file argument, or Jupyter would open that file's URL, without the query).
# HOST=0.0.0.0 (or ::) listens on every address, and Jupyter would print http://0.0.0.0:PORT/...,
# which no browser opens: print this machine's first IPv4 address instead (its name without one)
LAB_URL_HOST = $(or $(shell hostname -I 2>/dev/null | tr ' ' '\n' | grep -m1 -E '^[0-9.]+$$'),$(shell hostname))
LAB_SHOWN_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),$(LAB_URL_HOST),$(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)))
LAB_ARGS += --ServerApp.custom_display_url=http://$(if $(HEADLESS),$(LAB_SHOWN_HOST),localhost):$(PORT)/
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

# Packages install with uv, where uv installs (4x faster than pip on a fresh clone, 2 loaded
# cores: 48 s and 33 s against 164 s and 161 s, measured for issue 21), else with pip: INSTALLER=pip chooses pip. uv is
# pinned here, not in requirements.txt: it sets the course up and is not one of its packages;
# it goes into .venv with pip, so nothing outside .venv is needed or changed.
INSTALLER ?= uv
UV_PIN   := uv==0.13.8
PIP      := $(BIN)/python -m pip install --quiet --disable-pip-version-check
UV       := $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || { \
	  if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c '$(PYTHON_OK)' 2>/dev/null; then \
	    echo "the course needs $(PYTHON_NEEDED); looked for $(PYTHON) $(PYTHONS), found:"; \
	    for p in $(PYTHON) $(PYTHONS); do command -v $$p >/dev/null && echo "  $$p: $$($$p --version 2>&1 | head -1)"; done; \
	    echo "install one (Debian/Ubuntu: sudo apt-get install python3-venv, or python3.X-venv) and run make again,"; \
	    echo "or name it: make setup PYTHON=/path/to/python3.12"; exit 1; fi; \
	  echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "no venv: on Debian/Ubuntu, sudo apt-get install python3-venv"; exit 1; }; }
	@$(BIN)/python -c '$(PYTHON_OK)' || { echo "$(VENV) has Python $$($(BIN)/python -c 'import platform; print(platform.python_version())'); the course needs $(PYTHON_NEEDED): remove $(VENV) and run make again"; exit 1; }
	@if [ "$(INSTALLER)" = uv ] && $(PIP) $(UV_PIN) 2>/dev/null; then \
	  echo "installing the pinned packages with uv ($(UV_PIN))"; \
	  $(UV) -r requirements.txt -c constraints.txt && $(UV) --no-deps -e . \
	    || { echo "uv failed: installing with pip"; $(PIP) -r requirements.txt -c constraints.txt && $(PIP) --no-deps -e .; }; \
	else \
	  echo "installing the pinned packages with pip"; \
	  $(PIP) -r requirements.txt -c constraints.txt && $(PIP) --no-deps -e .; \
	fi
	$(BIN)/k2tf install-kernel
	@rm -f $(VENV)/.k2tf-setup-*
	@touch $@
	@echo "set-up done: $(VENV) holds the course's pinned packages and the 'k2tf' kernel"

lab: setup
	@# JupyterLab draws a stored widget (lesson 03's explorer, lesson 11's guide) only in a trusted
	@# notebook; trust is kept per content in the user's Jupyter data folder, not in the files
	@$(BIN)/jupyter trust notebooks/*.ipynb >/dev/null
	$(BIN)/jupyter lab $(LAB_ARGS) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url='$(LAB_HOME)'

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
