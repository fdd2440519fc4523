# The course's commands. `make lab` and `make test` set up first when needed.
SHELL := /bin/bash
VENV := .venv
BIN := $(abspath $(VENV))/bin
PY := $(BIN)/python
STAMP := $(VENV)/.setup-done
PYTHON ?= $(shell command -v python3.11 || command -v python3)
LAB_PORT ?= 8888
LAB_ARGS ?=
EXCHANGE ?= $(abspath exchange)
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# nbgrader runs `alembic` by name and kernels start from PATH: the venv's bin comes first.
export PATH := $(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0

.PHONY: setup lab test test-browser release grade feedback formgrader bench clean

setup: $(STAMP)

# Re-run only when the pins or the package's metadata change; a second `make setup` is a no-op.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed, found " + sys.version)'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@# An optional extra of jsonschema that costs 1.5 s at every import of nbformat; nothing here needs it.
	$(PY) -m pip uninstall --disable-pip-version-check -q -y rfc3987-syntax 2>/dev/null || true
	touch $(STAMP)

# Served from the repository so that solutions/ is one click away; the browser opens on course/.
lab: setup
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/course $(LAB_ROOT_FLAG) $(LAB_ARGS)

test: setup
	$(PY) -m pytest -n auto --dist loadfile

# Only the tests in a real browser (part of `make test`): every solution and student notebook
# run in JupyterLab, every explorer's controls, Validate and formgrader.
test-browser: setup
	$(PY) -m pytest -n auto --dist loadfile -m browser

# `make release DAY=day04_backprop` rebuilds one day (several: DAY="day04_backprop day05_sgd").
release: setup
	$(PY) -m calcopt.instructor.release $(DAY)

# Grades what changed since the last run; STUDENT= and DAY= (space-separated) grade those
# again, FORCE=1 grades everything again.
grade: setup
	$(if $(DB),CALCOPT_DB='$(DB)') $(PY) -m calcopt.instructor.grade \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
		$(foreach s,$(STUDENT),--student $(s)) $(foreach d,$(DAY),--day $(d)) $(if $(FORCE),--force)

# Feedback rebuilt from the gradebook after grading by hand in formgrader.
feedback: setup
	$(if $(DB),CALCOPT_DB='$(DB)') $(PY) -m calcopt.instructor.feedback \
		$(foreach s,$(STUDENT),--student $(s)) $(foreach d,$(DAY),--day $(d))

# JupyterLab in the course root (formgrader reads nbgrader_config.py from the server's working
# folder), with the exchange
# nbgrader's release, fetch, submit and collect go through (EXCHANGE=, default exchange/).
formgrader: setup
	mkdir -p $(EXCHANGE) && chmod 777 $(EXCHANGE)
	cd autograder && CALCOPT_EXCHANGE=$(abspath $(EXCHANGE)) $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) \
		--ServerApp.root_dir=. --LabApp.default_url=/formgrader $(LAB_ROOT_FLAG) $(LAB_ARGS)

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) autograder/release autograder/autograded autograder/feedback autograder/gradebook.db autograder/keys autograder/grading-state
