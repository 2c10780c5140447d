#!/usr/bin/env bash
# Load with Locust (issue 12), against the production stack of `make prod` (run that first): SPEC §6's data
# set on LOAD_SITE behind nginx, then three mixes with think time (tests/load/locustfile.py): the 41 × 3
# officers signing in the same minute, deadline day and city review day, each followed by the integrity
# check; then the casebook of LOAD_CASEBOOK cases and the city summary on RQ. Figures go to
# tests/benchmarks/results-<date>.md (section "Load"). Variables: LOAD_SITE (case-bench.localhost), LOAD_HTTP_PORT
# (PROD_HTTP_PORT + 2), LOAD_USERS (200), LOAD_SECONDS (300), LOAD_MIXES ("burst deadline review"),
# LOAD_CASEBOOK (1000). Locust comes from PyPI into its own virtualenv, BENCH_DIR/locust-env.
source "$(dirname "$0")/lib.sh"

LOAD_SITE=${LOAD_SITE:-case-bench.localhost}
LOAD_HTTP_PORT=${LOAD_HTTP_PORT:-$((${PROD_HTTP_PORT:-80} + 2))}
LOAD_USERS=${LOAD_USERS:-200}
LOAD_SECONDS=${LOAD_SECONDS:-300}
LOAD_MIXES=${LOAD_MIXES:-burst deadline review}
LOAD_CASEBOOK=${LOAD_CASEBOOK:-1000}
BENCH_NAME=$(basename "$BENCH_DIR")
RUN="$BENCH_DIR/run/load"
URL="http://$LOAD_SITE:$LOAD_HTTP_PORT"
PY="../env/bin/python ../apps/$APP/tests"

[ -e "/etc/supervisor/conf.d/case-prod-$BENCH_NAME.conf" ] || die "no production stack for $BENCH_DIR: run make prod first"
install_checkout
ensure_site "$LOAD_SITE" "$LOAD_HTTP_PORT"
queue_mail_unsent "$LOAD_SITE"
bench_cmd --site "$LOAD_SITE" set-config --parse nginx_port "$LOAD_HTTP_PORT"
bench_cmd --site "$LOAD_SITE" set-config host_name "$URL"
log "seeding the SPEC §6 data set on $LOAD_SITE (skipped when present)"
as_bench "cd sites && $PY/benchmarks/bench_flow.py seed --site $LOAD_SITE"
as_bench "PATH=/usr/local/bin:\$PATH bench setup nginx --yes >/dev/null"
as_root nginx -s reload
as_root supervisorctl restart "$BENCH_NAME-web:" "$BENCH_NAME-workers:" >/dev/null
for _ in $(seq 60); do curl -fs -o /dev/null "$URL/api/method/ping" && break; sleep 1; done
assert_serves "$LOAD_SITE" "$URL" # every request must reach this site: another site's answers are not figures
as_bench "[ -x locust-env/bin/locust ] || { python3 -m venv locust-env && locust-env/bin/pip install -q locust; }"
as_bench "mkdir -p '$RUN'" # figures of mixes not run this time (LOAD_MIXES) stay for the report

for mix in $LOAD_MIXES; do
	log "load: $mix"
	as_bench "rm -f '$RUN/$mix'_*"
	as_bench "cd sites && $PY/load/load_data.py prepare --site $LOAD_SITE --out '$RUN/data.json'"
	as_bench "cd sites && $PY/load/load_data.py drain --site $LOAD_SITE" # the preparation's jobs, before the mix
	users=$LOAD_USERS seconds=$LOAD_SECONDS
	[ "$mix" = burst ] && users=123 seconds=60
	as_bench "cd sites && LOAD_DATA='$RUN/data.json' LOAD_ACK='$RUN/${mix}_ack.json' LOAD_MIX=$mix ADMIN_PASSWORD='$ADMIN_PASSWORD' \
		../locust-env/bin/locust -f ../apps/$APP/tests/load/locustfile.py --headless -u $users -r $([ "$mix" = burst ] && echo 123 || echo 5) \
		-t ${seconds}s --host '$URL' --csv '$RUN/$mix' --only-summary --stop-timeout 30 2>&1 | tail -n 40" || true
	as_bench "cd sites && $PY/load/load_data.py verify --site $LOAD_SITE --stats '$RUN/${mix}_ack.json' > '$RUN/${mix}_verify.json'"
	cat "$RUN/${mix}_verify.json"
done

log "heavy work on RQ: city summary and a casebook of $LOAD_CASEBOOK cases"
as_bench "cd sites && $PY/load/rq_figures.py --site $LOAD_SITE --url '$URL' --cases $LOAD_CASEBOOK \
	--admin-password '$ADMIN_PASSWORD' --out '$RUN/rq.json'" | tail -n 2

RESULTS="$REPO_DIR/tests/benchmarks/results-$(date +%F).md"
COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
# The day's other sections are kept: copied for the report to add its own, and the copy is the bench user's
# (it writes it; a copy left by root would stop the report with PermissionError).
if [ -f "$RESULTS" ]; then
	as_root cp "$RESULTS" "$RUN/results.md"
	as_root chown "$BENCH_USER": "$RUN/results.md"
fi
WORKERS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("gunicorn_workers", ""))' "$BENCH_DIR/sites/common_site_config.json")
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/load/report.py --dir '$RUN' --out '$RUN/results.md' \
	--users $LOAD_USERS --seconds $LOAD_SECONDS --commit $COMMIT --workers '$WORKERS'"
as_root cp "$RUN/results.md" "$RESULTS"
as_root chown "$(stat -c %U "$REPO_DIR")": "$RESULTS"
log "figures written to $RESULTS"
