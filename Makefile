.PHONY: demo test lint bench-report outputs-preview screenshots prod prod-smoke replica load capacity chaos two-host backup restore

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

# PNGs of every role's workspace on the demo (docs/screenshots/, shown in the README).
screenshots:
	bash scripts/screenshots.sh

# Production bring-up: nginx + gunicorn + RQ workers + scheduler under supervisor, then the smoke test.
prod:
	bash scripts/prod.sh

prod-smoke:
	bash scripts/prod_smoke.sh

# Read replica of the production site (a second MariaDB by GTID, read_from_replica in the site config).
replica:
	bash scripts/replica.sh

# Load with Locust against the production stack (run `make prod` first); figures to tests/benchmarks/.
load:
	bash scripts/load.sh

# Users held at p95 ≤ 2 s (issue 20): the deadline-day mix and a stock-only mix stepped up on the production stack
# (run `make prod` first); figures to tests/benchmarks/ (section "Capacity"). CAPACITY_STEPS, CAPACITY_STEP_SECONDS.
capacity:
	bash scripts/capacity.sh

# Faults survived on the production stack (run `make prod` first): kill -9, restarts, a full disk while work is in
# flight, then the data checked; figures to tests/benchmarks/ (section "Chaos").
chaos:
	bash scripts/chaos.sh

# A second app host rehearsed on this machine: a second bench on 127.0.0.2 sharing the sites folder, MariaDB and
# Redis; the 41 × 3 signatures split across both hosts and jobs crossing hosts; figures to tests/benchmarks/
# (section "Two hosts"). Stops what it started.
two-host:
	bash scripts/two_host.sh

# Backup of every site with the app (database, files, site config) into BENCH_DIR/backups/SITE/<time>/; make prod
# schedules it four times a day.
backup:
	bash scripts/backup.sh

# make restore RESTORE_FROM=<a backup set> RESTORE_SITE=<site> [RESTORE_FORCE=1]
restore:
	bash scripts/restore.sh
