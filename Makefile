# Two commands on a fresh machine with Python 3.11+: `make reproduce` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test reproduce install lint bench paper clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .

reproduce: $(STAMP)
	$(PY) -m studies.run_all
	@$(MAKE) --no-print-directory paper

paper:
	@if command -v latexmk >/dev/null 2>&1; then \
		cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error main.tex >/dev/null && \
		echo "paper/main.pdf built"; \
	else \
		echo "latexmk not found: studies ran and paper/figures, paper/tables are written."; \
		echo "To build paper/main.pdf install LaTeX, e.g. on Debian/Ubuntu:"; \
		echo "  sudo apt-get install latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended"; \
		echo "  (macOS: brew install --cask mactex-no-gui), then run: make paper"; \
	fi

# every row of the benchmark table, the torch baseline included (the bench extra: torch CPU)
bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .lrtheory-cache
