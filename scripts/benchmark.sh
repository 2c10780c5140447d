#!/usr/bin/env bash
# Benchmarks of SPEC §6 (figures, not tests): seeds the 10,250-case data set once on its own site, serves it
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

log "seeding the SPEC §6 data set on $BENCH_SITE (skipped when present)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $BENCH_SITE"
bench_cmd --site "$BENCH_SITE" clear-cache

SERVER=gunicorn serve_site "$BENCH_SITE" "$BENCH_PORT" "$BENCH_WORKERS"

log "measuring (gunicorn, $BENCH_WORKERS workers)"
RESULTS="$REPO_DIR/tests/benchmarks/results-$(date +%F).md"
COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py measure --site $BENCH_SITE \
	--url http://$BENCH_SITE:$BENCH_PORT --workers $BENCH_WORKERS --commit $COMMIT --out /tmp/case-bench-results.md ${BENCH_ARGS:-}"
# The review tools (issue 22): similarity check per new case at 10,000 stored fingerprints, assignment of 1,000.
log "measuring the review tools (bench_review.py)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_review.py --site $BENCH_SITE \
	--out /tmp/case-bench-review.md"
{ echo; cat /tmp/case-bench-review.md; } >>/tmp/case-bench-results.md
# The same day's `make load` and `make chaos` figures (sections "Load" and "Chaos") are kept below the new
# ones, and with SKIP_OUTPUTS=1 the earlier run's outputs (section "Outputs") too. A section ends at the next
# "## " heading.
KEEP='^## Load [(]`make load`[)]|^## Chaos [(]`make chaos`'
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
