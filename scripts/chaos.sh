#!/usr/bin/env bash
# Faults survived (issue 19), against the production stack of `make prod` (run that first): each fault while
# real work is in flight — gunicorn workers killed during a burst of signatures and list submissions, MariaDB
# restarted during list submissions and a Data Import, the RQ worker killed during a city summary and a
# casebook, Redis flushed under queued exports, a full disk under an upload and a casebook — then the data read
# back (tests/chaos/). Figures go to tests/benchmarks/results-<date>.md, section "Chaos"; the command fails
# when any acknowledged write was lost or any record half-written. Variables: CHAOS_SITE (case-bench.localhost,
# the load test's site: SPEC §6's data set), CHAOS_HTTP_PORT (PROD_HTTP_PORT + 2), CHAOS_FAULTS
# ("gunicorn mariadb rq redis disk"), CHAOS_CASEBOOK (200 cases).
source "$(dirname "$0")/lib.sh"

CHAOS_SITE=${CHAOS_SITE:-case-bench.localhost}
CHAOS_HTTP_PORT=${CHAOS_HTTP_PORT:-$((${PROD_HTTP_PORT:-80} + 2))}
CHAOS_FAULTS=${CHAOS_FAULTS:-gunicorn mariadb rq redis disk}
CHAOS_CASEBOOK=${CHAOS_CASEBOOK:-200}
BENCH_NAME=$(basename "$BENCH_DIR")
RUN="$BENCH_DIR/run/chaos"
URL="http://$CHAOS_SITE:$CHAOS_HTTP_PORT"

[ -e "/etc/supervisor/conf.d/case-prod-$BENCH_NAME.conf" ] || die "no production stack for $BENCH_DIR: run make prod first"
install_checkout
ensure_site "$CHAOS_SITE" "$CHAOS_HTTP_PORT"
queue_mail_unsent "$CHAOS_SITE"
bench_cmd --site "$CHAOS_SITE" set-config --parse nginx_port "$CHAOS_HTTP_PORT"
bench_cmd --site "$CHAOS_SITE" set-config host_name "$URL"
bench_cmd --site "$CHAOS_SITE" enable-scheduler >/dev/null # the sweeper recovers lost jobs; Data Import needs it
log "seeding the SPEC §6 data set on $CHAOS_SITE (skipped when present)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $CHAOS_SITE"
as_bench "PATH=/usr/local/bin:\$PATH bench setup nginx --yes >/dev/null"
as_root nginx -s reload
as_root supervisorctl restart "$BENCH_NAME-web:" "$BENCH_NAME-workers:" >/dev/null
for _ in $(seq 60); do curl -fs -o /dev/null "$URL/api/method/ping" && break; sleep 1; done
assert_serves "$CHAOS_SITE" "$URL" # every request must reach this site: another site's answers are not figures
[ "${CHAOS_PREPARE:-1}" = 1 ] && as_root rm -rf "$RUN" # CHAOS_PREPARE=0 reuses the last run's data (debugging)
as_bench "mkdir -p '$RUN'" # written by both: the bench user (site data) and root

RESULTS="$REPO_DIR/tests/benchmarks/results-$(date +%F).md"
COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
QUEUE_PORT=$(sed -n 's/^port \([0-9]*\)/\1/p' "$BENCH_DIR/config/redis_queue.conf")
log "chaos on $URL: $CHAOS_FAULTS"
as_root env DB_ROOT_PASSWORD="$DB_ROOT_PASSWORD" ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BENCH_DIR/env/bin/python" \
	"$REPO_DIR/tests/chaos/chaos.py" --site "$CHAOS_SITE" --url "$URL" --bench "$BENCH_DIR" --bench-user "$BENCH_USER" \
	--out "$RUN" --results "$RESULTS" --commit "$COMMIT" --casebook "$CHAOS_CASEBOOK" \
	--redis-queue-port "${QUEUE_PORT:-11000}" --faults "$CHAOS_FAULTS" --prepare "${CHAOS_PREPARE:-1}"
