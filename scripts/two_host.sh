#!/usr/bin/env bash
# Two app hosts rehearsed on one machine (issue 20, item 6): host 1 is the main bench (BENCH_DIR), gunicorn on
# 127.0.0.1; host 2 is a second bench (HOST2_DIR) whose sites folder is the first one's (the shared filesystem of
# a real deployment) and whose apps and env are the same code, gunicorn on 127.0.0.2 — its own processes, against
# the same MariaDB and Redis. On TWO_HOST_SITE (case-hosts.localhost, make load's data set):
#   1. the 41 × 3 officers sign at once (a barrier), alternating between the hosts; read back from MariaDB;
#   2. the city summary queued by a request to host 1 while only host 2 has an RQ worker, then the reverse.
# Figures: tests/benchmarks/results-<date>.md, section "Two hosts (`make two-host`)" (only that section replaced).
# Everything it starts (two gunicorns, two RQ workers) is stopped at the end; the workers read only the site's own
# queues (its bench_id), so no other site's jobs are taken. Variables: TWO_HOST_SITE, TWO_HOST_PORT (8016),
# TWO_HOST_WORKERS (2 gunicorn workers a host), HOST2_DIR (BENCH_DIR-host2).
source "$(dirname "$0")/lib.sh"

SITE=${TWO_HOST_SITE:-case-hosts.localhost}
PORT=${TWO_HOST_PORT:-8016}
WORKERS=${TWO_HOST_WORKERS:-2}
HOST2_DIR=${HOST2_DIR:-$BENCH_DIR-host2}
URL1="http://127.0.0.1:$PORT"
URL2="http://127.0.0.2:$PORT"
RUN="$BENCH_DIR/run/two-host"
PY="$BENCH_DIR/env/bin/python $BENCH_DIR/apps/$APP/tests/hosts/two_host.py"
PY2="$HOST2_DIR/env/bin/python $HOST2_DIR/apps/$APP/tests/hosts/two_host.py"

# stop_pidfile FILE: the process of FILE and its children (gunicorn's workers, an RQ worker's work horse).
stop_pidfile() {
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	as_root pkill -TERM -P "$pid" 2>/dev/null || true
	as_root kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 20); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	as_root kill -KILL "$pid" 2>/dev/null || true
	as_root rm -f "$1"
}

stop_all() {
	stop_pidfile "$RUN/worker-1.pid"
	stop_pidfile "$HOST2_DIR/run/worker-2.pid"
	stop_pidfile "$RUN/gunicorn-1.pid"
	stop_pidfile "$HOST2_DIR/run/gunicorn-2.pid"
}

# gunicorn DIR ADDRESS PIDFILE: frappe.app served from DIR's sites folder on ADDRESS:PORT.
gunicorn() {
	local dir=$1 address=$2 pidfile=$3
	(exec 3<>"/dev/tcp/$address/$PORT") 2>/dev/null && die "$address:$PORT is already in use: stop what holds it"
	as_bench "cd '$dir/sites' && '$dir/env/bin/gunicorn' -b $address:$PORT -w $WORKERS -t 120 --daemon \
		--pid '$pidfile' --error-logfile '$dir/logs/two-host-gunicorn.log' \
		--access-logfile '$dir/logs/two-host-access.log' frappe.app:application"
	local served=""
	for _ in $(seq 90); do
		served=$(curl -fs -H "Host: $SITE" "http://$address:$PORT/api/method/case_selection.api.site.served_site" 2>/dev/null |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["message"])' 2>/dev/null || true)
		[ -n "$served" ] && break
		sleep 1
	done
	[ "$served" = "$SITE" ] || die "http://$address:$PORT answers as '${served:-nothing}', not as $SITE"
	log "$dir serves $SITE on http://$address:$PORT (gunicorn, $WORKERS workers)"
}

# worker DIR LABEL PIDFILE: an RQ worker of DIR's processes on the site's own queues (tests/hosts/worker.py).
worker() {
	local dir=$1 label=$2 pidfile=$3
	# `;` before nohup: the pid file gets the worker's own pid (its RQ name), not that of a subshell around it
	as_bench "cd '$dir/sites'; nohup '$dir/env/bin/python' '$dir/apps/$APP/tests/hosts/worker.py' $SITE $label \
		>>'$dir/logs/two-host-worker.log' 2>&1 & echo \$! > '$pidfile'"
	sleep 3
	as_root kill -0 "$(cat "$pidfile")" 2>/dev/null || die "the RQ worker of $label did not start (see $dir/logs/two-host-worker.log)"
	log "RQ worker $label.$(cat "$pidfile") started from $dir"
}

# The second bench: its own folder, logs and pid files; the first bench's sites (shared), apps and env (the same
# code, as two hosts run the same image). Made once, checked every run.
ensure_host2() {
	as_root mkdir -p "$HOST2_DIR/logs" "$HOST2_DIR/run"
	local part
	for part in sites apps env; do
		if [ -e "$HOST2_DIR/$part" ] && [ ! -L "$HOST2_DIR/$part" ]; then
			die "$HOST2_DIR/$part exists and is not a link to $BENCH_DIR/$part: move it away first"
		fi
		as_root ln -sfn "$BENCH_DIR/$part" "$HOST2_DIR/$part"
	done
	as_root chown -h "$BENCH_USER:" "$HOST2_DIR" "$HOST2_DIR"/{logs,run,sites,apps,env}
	as_root chown "$BENCH_USER:" "$HOST2_DIR/logs" "$HOST2_DIR/run"
}

ensure_mariadb
start_redis
install_checkout
ensure_site "$SITE" "$PORT"
queue_mail_unsent "$SITE"
bench_cmd --site "$SITE" set-config -p throttle_user_limit 1000 >/dev/null
# The site's jobs on queues of its own (Frappe: "<bench_id>:<queue>"), read by the rehearsal's workers only.
bench_cmd --site "$SITE" set-config bench_id "two-hosts-$SITE" >/dev/null
log "seeding make load's data set on $SITE (skipped when present)"
as_bench "cd sites && ../env/bin/python ../apps/$APP/tests/benchmarks/bench_flow.py seed --site $SITE" | tail -n 3
ensure_host2
as_bench "mkdir -p '$RUN' && rm -f '$RUN'/*.json"
as_bench ": > logs/two-host-access.log; : > '$HOST2_DIR/logs/two-host-access.log'"
stop_all # what an interrupted run left
trap stop_all EXIT

as_bench "cd sites && $PY prepare --site $SITE --out '$RUN/data.json'"
python3 -c 'import json, sys; json.dump(dict(zip(sys.argv[2::2], sys.argv[3::2])), open(sys.argv[1], "w"))' \
	"$RUN/hosts.json" site "$SITE" bench1 "$BENCH_DIR" bench2 "$HOST2_DIR" url1 "$URL1" url2 "$URL2" \
	gunicorn_workers "$WORKERS"
gunicorn "$BENCH_DIR" 127.0.0.1 "$RUN/gunicorn-1.pid"
gunicorn "$HOST2_DIR" 127.0.0.2 "$HOST2_DIR/run/gunicorn-2.pid"
worker "$BENCH_DIR" host1 "$RUN/worker-1.pid"
worker "$HOST2_DIR" host2 "$HOST2_DIR/run/worker-2.pid"

# What the officers' first creation queued (their contacts and avatars; nothing on later runs) is run first, so
# that the figures below are the burst's own.
as_bench "cd sites && $PY drain --site $SITE --out '$RUN/drain_before.json'" >/dev/null
log "41 × 3 officers signing at once, alternating between $URL1 and $URL2"
as_bench "cd sites && $PY burst --site $SITE --data '$RUN/data.json' --url $URL1 --url $URL2 --out '$RUN/burst.json'"
log "waiting for the jobs the signatures queued (seals, notifications), run by both hosts' workers"
as_bench "cd sites && $PY drain --site $SITE --out '$RUN/drain.json'" >/dev/null
as_bench "cd sites && $PY verify --site $SITE --burst '$RUN/burst.json' --out '$RUN/verify.json'"

log "a job queued through host 1, only host 2 has an RQ worker"
stop_pidfile "$RUN/worker-1.pid"
as_bench "cd '$HOST2_DIR/sites' && $PY2 job --site $SITE --data '$RUN/data.json' --url $URL1 --expect host2 --out '$RUN/job_1_to_2.json'"
log "a job queued through host 2, only host 1 has an RQ worker"
stop_pidfile "$HOST2_DIR/run/worker-2.pid"
worker "$BENCH_DIR" host1 "$RUN/worker-1.pid"
as_bench "cd sites && $PY job --site $SITE --data '$RUN/data.json' --url $URL2 --expect host1 --out '$RUN/job_2_to_1.json'"
stop_all

RESULTS="$REPO_DIR/tests/benchmarks/results-$(date +%F).md"
COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo n/a)
[ -z "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted-changes"
# The day's other sections stay: the report replaces its own section in a copy the bench user may write.
if [ -f "$RESULTS" ]; then
	as_root cp "$RESULTS" "$RUN/results.md"
else
	as_root rm -f "$RUN/results.md"
fi
as_root chown -f "$BENCH_USER": "$RUN/results.md" || true
as_bench "cd sites && $PY report --dir '$RUN' --results '$RUN/results.md' --commit $COMMIT"
as_root cp "$RUN/results.md" "$RESULTS"
as_root chown "$(stat -c %U "$REPO_DIR")": "$RESULTS"
log "figures written to $RESULTS"
# The command fails when a signature was lost or doubled, a case is in the wrong state, a request got a 5xx or
# a job did not run on the other host.
as_bench "cd sites && $PY check --dir '$RUN'"
