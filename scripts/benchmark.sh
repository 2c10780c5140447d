#!/usr/bin/env bash
# Benchmarks of SPEC §6 and issue 20 (figures, not tests): seeds the 10,250-case data set once on its own site, serves it
# with gunicorn (BENCH_WORKERS workers, 4 by default) and measures list/report latency against a stock
# DocType baseline, the co-sign action and 40 concurrent users. Idempotent; reuses the bench and the site.
# Prints a table and writes tests/benchmarks/results-<date>.md.
source "$(dirname "$0")/lib.sh"

BENCH_SITE=${BENCH_SITE:-case-bench.localhost}
BENCH_PORT=${BENCH_PORT:-8021}
BENCH_WORKERS=${BENCH_WORKERS:-4}
trap 'stop_site "$BENCH_SITE"' EXIT

ensure_packages
ensure_mariadb
ensure_bench
start_redis
install_checkout
if [ "${SKIP_MIGRATE:-0}" = 1 ] && [ -f "$BENCH_DIR/sites/$BENCH_SITE/site_config.json" ]; then
	log "reusing $BENCH_SITE as it is (SKIP_MIGRATE=1)"
else
	ensure_site "$BENCH_SITE" "$BENCH_PORT"
	queue_mail_unsent "$BENCH_SITE"
fi

# Two sizes (issue 20): the 2025 round alone (10,355 cases), then with nine past rounds (100,355 cases, seeded in
# bulk, removed again at the start of the next run). What Desk asks of the database for every role is measured
# in-process at both (bench_queries.py), the lists over HTTP at both.
log "the data set at 10,000 cases on $BENCH_SITE (the 2025 round; past rounds removed, the rest seeded when missing)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $BENCH_SITE --cases 10000"
bench_cmd --site "$BENCH_SITE" clear-cache
log "what Desk asks of the database, per role, at 10,000 cases (bench_queries.py)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_queries.py --site $BENCH_SITE \
	--json /tmp/case-bench-queries-10k.json >/dev/null"

SERVER=gunicorn serve_site "$BENCH_SITE" "$BENCH_PORT" "$BENCH_WORKERS"

log "measuring (gunicorn, $BENCH_WORKERS workers)"
RESULTS="$REPO_DIR/tests/benchmarks/results-$(date +%F).md"
COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py measure --site $BENCH_SITE \
	--url http://$BENCH_SITE:$BENCH_PORT --workers $BENCH_WORKERS --commit $COMMIT --out /tmp/case-bench-results.md \
	--json /tmp/case-bench-lists-10k.json ${BENCH_ARGS:-}"
# The review tools (issue 22), on the 10,000-case data set: similarity check per new case at 10,000 stored
# fingerprints, assignment of 1,000.
log "measuring the review tools (bench_review.py)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_review.py --site $BENCH_SITE \
	--out /tmp/case-bench-review.md"
{ echo; cat /tmp/case-bench-review.md; } >>/tmp/case-bench-results.md
log "the data set at 100,000 cases: nine past rounds seeded in bulk"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $BENCH_SITE --cases 100000"
bench_cmd --site "$BENCH_SITE" clear-cache
log "measuring the lists again at 100,000 cases"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py measure --site $BENCH_SITE \
	--url http://$BENCH_SITE:$BENCH_PORT --workers $BENCH_WORKERS --commit $COMMIT --lists-only \
	--compare /tmp/case-bench-lists-10k.json --out /tmp/case-bench-lists-100k.md ${BENCH_ARGS:-}"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_queries.py --site $BENCH_SITE \
	--compare /tmp/case-bench-queries-10k.json" >/tmp/case-bench-queries.md
# Background jobs per request (issue 20, item 5): what one submission, each co-signature, a district list and an
# assignment queue, with Frappe's one job per Desk notification and with the app's one per transaction.
log "counting the background jobs per request (bench_jobs.py)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_jobs.py --site $BENCH_SITE --frappe-way \
	--drop-jobs" >/tmp/case-bench-jobs.md
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $BENCH_SITE --cases 100000" \
	>/dev/null # the rounds bench_jobs.py opened closed again (the current round stays 2025)
{ echo; cat /tmp/case-bench-lists-100k.md; echo; sed '1s/^### /## /' /tmp/case-bench-jobs.md; echo;
	echo "## What Desk asks of the database, per role, at both sizes (\`bench_queries.py\`, in-process)"; echo;
	echo "Median ms of 7 calls as that user; the costliest SELECT's EXPLAIN: the most rows expected from one table,"
	echo "and whether MariaDB sorts them (filesort/temporary) or reads them in order from an index. Views open on the"
	echo "current round as Desk does (case_selection.js); counts as Desk asks them (at most 1,001)."; echo;
	cat /tmp/case-bench-queries.md; } >>/tmp/case-bench-results.md
# The same day's `make load`, `make chaos`, `make two-host` and `make capacity` figures are kept below the new
# ones, and with SKIP_OUTPUTS=1 the earlier run's outputs (section "Outputs") too. A section ends at the next
# "## " heading.
KEEP='^## Load [(]`make load`[)]|^## Chaos [(]`make chaos`|^## Two hosts [(]`make two-host`[)]|^## Capacity [(]`make capacity`[)]'
[ "${SKIP_OUTPUTS:-0}" = 1 ] && KEEP="$KEEP|^## Outputs "
if [ -f "$RESULTS" ] && grep -Eq "$KEEP" "$RESULTS"; then
	awk -v keep_re="$KEEP" '$0 ~ keep_re { keep = 1; print ""; print; next } keep && /^## / { keep = 0 } keep' \
		"$RESULTS" >>/tmp/case-bench-results.md
fi
as_root cp /tmp/case-bench-results.md "$RESULTS"
as_root chown "$(stat -c %U "$REPO_DIR")": "$RESULTS"
log "figures written to $RESULTS"

# Outputs (issue 4): 附件1 PDF vs Frappe's "Standard" format, city summary xlsx vs the built-in export and a
# bare openpyxl write, casebook of 100 cases. The Standard format links print.bundle.css by the site's URL,
# so the site is served here by Frappe's own server, which also serves /assets.
if [ "${SKIP_OUTPUTS:-0}" != 1 ]; then
	stop_site "$BENCH_SITE"
	serve_site "$BENCH_SITE" "$BENCH_PORT"
	log "measuring the outputs"
	as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_outputs.py --site $BENCH_SITE" |
		tee /tmp/case-bench-outputs.txt
	{ echo; echo "## Outputs (\`bench_outputs.py --site $BENCH_SITE\`, commit $COMMIT)"; echo; echo '```';
		cat /tmp/case-bench-outputs.txt; echo '```'; } | as_root tee -a "$RESULTS" >/dev/null
fi
