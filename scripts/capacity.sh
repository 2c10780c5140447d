#!/usr/bin/env bash
# Capacity (issue 20, item 5): how many users the stack holds at p95 ≤ 2 s, for the app's deadline-day mix and
# a stock-only mix (ToDo list, report view and form at the same requests per user), users stepped up
# (tests/load/locustfile.py, LOAD_STEPS), with p95, req/s and the server's CPU-ms per request per step. Section
# "Capacity (`make capacity`)" of tests/benchmarks/results-<date>.md (the other sections stay).
# Against the production stack of `make prod` (run that first), on LOAD_SITE's data set as `make load` seeds it.
# Variables: CAPACITY_STEPS ("10 20 40 80 120 160 200"), CAPACITY_STEP_SECONDS (40), CAPACITY_MIXES
# ("stock deadline"), CAPACITY_CPU_MATCH (a regex on the command lines of the processes whose CPU time is the
# server's; default gunicorn, RQ workers, MariaDB, Redis), LOAD_SITE (case-bench.localhost), LOAD_HTTP_PORT
# (PROD_HTTP_PORT + 2).
# CAPACITY_URL=http://SITE:PORT with CAPACITY_SITE=SITE measures a server already running instead (e.g. a test
# site served by serve_site, for a short trial run): no make prod check, no seeding, no restart; the figures then
# go to BENCH_DIR/run/capacity-SITE/results.md unless CAPACITY_RESULTS names a file.
source "$(dirname "$0")/lib.sh"

STEPS=${CAPACITY_STEPS:-10 20 40 80 120 160 200}
STEP_SECONDS=${CAPACITY_STEP_SECONDS:-40}
MIXES=${CAPACITY_MIXES:-stock deadline}
BENCH_NAME=$(basename "$BENCH_DIR")
RUN="$BENCH_DIR/run/capacity${CAPACITY_URL:+-${CAPACITY_SITE:-}}" # a trial run against a URL keeps to its own folder
PY="../env/bin/python ../apps/$APP/tests"

if [ -n "${CAPACITY_URL:-}" ]; then
	SITE=${CAPACITY_SITE:?CAPACITY_SITE names the site CAPACITY_URL serves}
	URL=$CAPACITY_URL
	RESULTS=${CAPACITY_RESULTS:-$RUN/results.md}
	install_checkout
	assert_serves "$SITE" "$URL"
else
	SITE=${LOAD_SITE:-case-bench.localhost}
	PORT=${LOAD_HTTP_PORT:-$((${PROD_HTTP_PORT:-80} + 2))}
	URL="http://$SITE:$PORT"
	RESULTS=${CAPACITY_RESULTS:-$REPO_DIR/tests/benchmarks/results-$(date +%F).md}
	[ -e "/etc/supervisor/conf.d/case-prod-$BENCH_NAME.conf" ] || die "no production stack for $BENCH_DIR: run make prod first"
	install_checkout
	ensure_site "$SITE" "$PORT"
	queue_mail_unsent "$SITE"
	bench_cmd --site "$SITE" set-config --parse nginx_port "$PORT"
	bench_cmd --site "$SITE" set-config host_name "$URL"
	log "seeding the SPEC §6 data set on $SITE (skipped when present)"
	as_bench "cd sites && $PY/benchmarks/bench_flow.py seed --site $SITE"
	as_bench "PATH=/usr/local/bin:\$PATH bench setup nginx --yes >/dev/null"
	as_root nginx -s reload
	as_root supervisorctl restart "$BENCH_NAME-web:" "$BENCH_NAME-workers:" >/dev/null
	for _ in $(seq 60); do curl -fs -o /dev/null "$URL/api/method/ping" && break; sleep 1; done
	assert_serves "$SITE" "$URL"
fi
as_bench "[ -x locust-env/bin/locust ] || { python3 -m venv locust-env && locust-env/bin/pip install -q locust; }"
as_bench "mkdir -p '$RUN' && rm -f '$RUN'/capacity_*.json"

n_steps=$(wc -w <<<"$STEPS")
seconds=$(python3 -c "import math; print(math.ceil($n_steps * $STEP_SECONDS) + 5)")
for mix in $MIXES; do
	case $mix in
	stock) classes="StockUser" ;;
	deadline) classes="Officer Applicant City StockUser" ;;
	*) die "CAPACITY_MIXES: stock or deadline, not $mix" ;;
	esac
	log "capacity: $mix, users $STEPS, $STEP_SECONDS s a step"
	as_bench "cd sites && $PY/load/load_data.py prepare --site $SITE --out '$RUN/data.json'"
	# The preparation's own jobs (its reviews' notifications: hundreds) run before the steps, not inside them.
	as_bench "cd sites && $PY/load/load_data.py drain --site $SITE"
	as_bench "cd sites && LOAD_DATA='$RUN/data.json' LOAD_ACK='$RUN/${mix}_ack.json' LOAD_MIX=$mix ADMIN_PASSWORD='$ADMIN_PASSWORD' \
		LOAD_STEPS='$STEPS' LOAD_STEP_SECONDS=$STEP_SECONDS LOAD_STEPS_OUT='$RUN/capacity_$mix.json' ${CAPACITY_CPU_MATCH:+LOAD_CPU_MATCH='$CAPACITY_CPU_MATCH'} \
		../locust-env/bin/locust -f ../apps/$APP/tests/load/locustfile.py --headless -t ${seconds}s --host '$URL' \
		--only-summary --stop-timeout 20 $classes 2>&1 | tail -n 25" || true
	[ -s "$RUN/capacity_$mix.json" ] || die "no figures from the $mix mix ($RUN/capacity_$mix.json)"
done

COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
if [ -f "$RESULTS" ] && [ "$RESULTS" != "$RUN/results.md" ]; then
	as_root cp "$RESULTS" "$RUN/results.md"
	as_root chown "$BENCH_USER": "$RUN/results.md"
fi
WORKERS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("gunicorn_workers", ""))' "$BENCH_DIR/sites/common_site_config.json")
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/load/report.py capacity --dir '$RUN' --out '$RUN/results.md' \
	--commit $COMMIT --url '$URL' --workers '$([ -n "${CAPACITY_URL:-}" ] || echo "$WORKERS")'"
if [ "$RESULTS" != "$RUN/results.md" ]; then
	as_root cp "$RUN/results.md" "$RESULTS"
	as_root chown "$(stat -c %U "$REPO_DIR")": "$RESULTS"
fi
log "figures written to $RESULTS"
