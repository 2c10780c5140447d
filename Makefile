.PHONY: demo test lint bench-report outputs-preview

# Brings up the Desk with demo data (installs what is missing, reuses an existing bench).
demo:
	bash scripts/demo.sh

# Runs lint and every test against a real test site.
test:
	bash scripts/test.sh

lint:
	ruff check . && ruff format --check .

# Benchmarks of SPEC §6 (not tests): prints figures.
bench-report:
	bash scripts/benchmark.sh

# PNGs of every page of a sample 附件1, 附件2 and casebook (build/outputs-preview/; page 1 in docs/outputs/).
outputs-preview:
	bash scripts/outputs_preview.sh
