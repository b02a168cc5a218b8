# pitfall: the README's first two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean examples docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

examples: $(STAMP)
	$(PY) examples/generate.py
	$(PY) examples/generate_museum.py
	$(PY) examples/generate_images.py
	$(PY) examples/generate_catalogue.py

demo: $(STAMP) examples
	$(VENV)/bin/pitfall scan examples/galaxies/train.csv examples/galaxies/test.csv \
		--target morphology --id object_id --format html --output report.html --record --fail-on never
	@echo "The example is full of pitfalls: without --fail-on never this scan exits 1, which is what fails a CI job."
	$(VENV)/bin/pitfall scan examples/galaxies_clean/train.csv examples/galaxies_clean/test.csv \
		--target morphology --group galaxy_id --id object_id --quiet --format text
	$(VENV)/bin/pitfall drift examples/museum_tickets/reference.csv examples/museum_tickets/current.csv \
		--time purchased_at --window 7d --target no_show \
		--model examples/museum_tickets/model.joblib --trust-model --format html --output drift.html --fail-on never
	@echo "The museum's data drifted: without --fail-on never this command exits 1."
	$(VENV)/bin/pitfall card last --output card
	@echo "Model card, datasheet and REFORMS checklist of the galaxies scan written to card/ (open card/card.html)."

test: $(STAMP)
	$(VENV)/bin/pytest -q -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples scripts
	$(VENV)/bin/ruff format --check src tests benchmarks examples scripts
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) benchmarks/bench_scan.py
	$(PY) benchmarks/bench_small.py
	$(PY) benchmarks/bench_model_checks.py
	$(PY) benchmarks/bench_drift.py
	$(PY) benchmarks/bench_text.py
	$(PY) benchmarks/bench_images.py
	$(PY) benchmarks/bench_serve.py
	$(PY) benchmarks/bench_lint.py

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) report.html drift.html card .pitfall build site *.egg-info
