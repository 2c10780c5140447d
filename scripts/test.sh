#!/usr/bin/env bash
# Runs every test against a real test site: lint, the app's Frappe tests (bench run-tests) and the
# end-to-end tests in tests/ (real HTTP server, real browser). Idempotent; reuses the bench and the site.
source "$(dirname "$0")/lib.sh"

TEST_SITE=${TEST_SITE:-case-test.localhost}
TEST_PORT=${TEST_PORT:-8011}
OUT=$(mktemp -d)
trap 'stop_site "$TEST_SITE"; rm -rf "$OUT"' EXIT

ensure_packages
# scripts/packages.txt covers every command the scripts call, and every line of it is now present.
log "package check (scripts/check_packages.py)"
packages_checked=0
python3 "$REPO_DIR/scripts/check_packages.py" || packages_checked=$?
ensure_mariadb
ensure_bench
start_redis
install_checkout

log "lint (ruff)"
as_bench "./env/bin/python -m ruff --version >/dev/null 2>&1 || ./env/bin/pip install -q ruff"
as_bench "cd apps/$APP && ../../env/bin/python -m ruff check . && ../../env/bin/python -m ruff format --check ." ||
	die "lint failed"

# One server log for the whole run (servers restarted by the later checks append to it): the 5xx check at the
# end reads every request of the run, tracebacks included.
as_bench "mkdir -p logs && : > logs/serve-$TEST_SITE.log"
ensure_site "$TEST_SITE" "$TEST_PORT"
queue_mail_unsent "$TEST_SITE"
# The test site's jobs on queues of its own (Frappe names a queue "<bench_id>:<queue>"; bench_id from the site's
# config): RQ workers serve every site of the bench, and a worker left running by `make demo` would otherwise
# take the tests' jobs while the tests look at them, or a test's worker the demo's. The test site's jobs are run
# by the tests themselves (tests/replica, test_import, test_seals), each its own job.
# Redis keeps its queues across runs (redis_queue.rdb): what an earlier run of this site left queued (seals of
# its cases, mail) would run against data the reinstall removes; purged from the queues the site used until now
# and from its own (`purge-jobs --site X`, not `bench --site X purge-jobs`, which empties every site's queue).
quiet bench_cmd purge-jobs --site "$TEST_SITE"
bench_cmd --site "$TEST_SITE" set-config bench_id "tests-$TEST_SITE"
quiet bench_cmd purge-jobs --site "$TEST_SITE"
bench_cmd --site "$TEST_SITE" set-config allow_tests true
# The tests create their users as the roles they play; on a new site that is more than Frappe's 60 new users an
# hour (throttle_user_limit), which guards real sites against sign-up floods, not a test site.
bench_cmd --site "$TEST_SITE" set-config -p throttle_user_limit 1000
if [ "${SKIP_REINSTALL:-0}" != 1 ]; then
	# Install → uninstall → reinstall on every run: the tests that follow count the master data exactly,
	# so a duplicate left behind by the cycle fails them.
	log "uninstall → reinstall $APP on $TEST_SITE"
	quiet bench_cmd --site "$TEST_SITE" uninstall-app "$APP" --yes --no-backup --force
	quiet bench_cmd --site "$TEST_SITE" install-app "$APP"
fi
bench_cmd --site "$TEST_SITE" clear-cache
serve_site "$TEST_SITE" "$TEST_PORT" 4

# The output tests measure the PDFs with pdfplumber (the pin keeps Frappe's Pillow) and read the pages' QR
# codes with zxing-cpp (a test-only dependency: the app writes QR codes, it never reads one).
as_bench "./env/bin/python -c 'import pdfplumber' 2>/dev/null || ./env/bin/pip install -q 'pdfplumber==0.11.4'"
as_bench "./env/bin/python -c 'import zxingcpp' 2>/dev/null || ./env/bin/pip install -q 'zxing-cpp==3.1.1'"

log "Frappe tests (bench run-tests --app $APP)"
status=0
as_bench "CASE_TEST_URL=http://$TEST_SITE:$TEST_PORT PATH=/usr/local/bin:\$PATH bench --site $TEST_SITE run-tests --app $APP ${RUN_TESTS_ARGS:-}" 2>&1 |
	tee "$OUT/unit.log" || status=1
ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$OUT/unit.log" | tail -n1)
failed=$(sed -n 's/^FAILED (\(.*\))/\1/p' "$OUT/unit.log" | { grep -o '[0-9]\+' || true; } | awk '{s+=$1} END {print s+0}' || true)
grep -qx 'OK\( (.*)\)\{0,1\}' "$OUT/unit.log" || status=1
[ "${ran:-0}" -gt 0 ] || { log "no test ran"; status=1; }

if [ -d "$REPO_DIR/tests/e2e" ] && [ "${SKIP_E2E:-0}" != 1 ]; then
	log "end-to-end tests (pytest tests/e2e)"
	as_bench "./env/bin/python -c 'import pytest, selenium' 2>/dev/null || ./env/bin/pip install -q pytest selenium"
	as_bench "cd apps/$APP && CASE_TEST_SITE=$TEST_SITE CASE_TEST_URL=http://$TEST_SITE:$TEST_PORT \
		../../env/bin/python -m pytest -q tests/e2e" 2>&1 | tee "$OUT/e2e.log" || status=1
fi

# Operations checks, each one test in the count below: the package check (above), backup → restore into a
# fresh site, and the read replica.
ops_passed=0 ops_failed=0
if [ "$packages_checked" = 0 ]; then ops_passed=$((ops_passed + 1)); else ops_failed=$((ops_failed + 1)) status=1; fi
if [ "${SKIP_BACKUP_CHECK:-0}" != 1 ]; then
	log "backup check (bench backup --with-files → restore into a fresh site → compare)"
	if BACKUP_SITE=$TEST_SITE bash "$REPO_DIR/scripts/backup_check.sh"; then
		ops_passed=$((ops_passed + 1))
	else
		ops_failed=$((ops_failed + 1)) status=1
	fi
fi
# Read replica: a second MariaDB replicating the test site's database. It needs binary logging on the primary,
# which on a machine without it means one restart of the system MariaDB: on by default in CI only.
if [ "${REPLICA_TEST:-$([ "${CI:-}" = true ] && echo 1 || echo 0)}" = 1 ]; then
	log "read replica check (reads on the replica, writes on the primary)"
	if TEST_SITE=$TEST_SITE TEST_PORT=$TEST_PORT bash "$REPO_DIR/scripts/replica_check.sh"; then
		ops_passed=$((ops_passed + 1))
	else
		ops_failed=$((ops_failed + 1)) status=1
	fi
fi

# A 5xx is a failure wherever it happens: the server's log of this run must have none. The request lines are
# werkzeug's (status codes after the coloured request line); a log without any means the check would see
# nothing, and fails too.
SERVER_LOG="$BENCH_DIR/logs/serve-$TEST_SITE.log"
REQUEST_LINE='HTTP/1\.[01][^"]*" [1-5][0-9][0-9] '
SERVER_ERROR='HTTP/1\.[01][^"]*" 5[0-9][0-9] '
requests_logged=$(grep -acE "$REQUEST_LINE" "$SERVER_LOG" 2>/dev/null || true)
server_errors=$(grep -acE "$SERVER_ERROR" "$SERVER_LOG" 2>/dev/null || true)
if [ "${requests_logged:-0}" -eq 0 ]; then
	log "the test server's log ($SERVER_LOG) shows no request: the 5xx check cannot see the run"
	status=1
elif [ "${server_errors:-0}" -gt 0 ]; then
	log "the test server answered ${server_errors} of ${requests_logged} request(s) with a 5xx:"
	grep -aE "$SERVER_ERROR" "$SERVER_LOG" | head -20 >&2
	log "what the server printed before the first of them:"
	grep -a -B40 -m1 -E "$SERVER_ERROR" "$SERVER_LOG" >&2 || true
	status=1
else
	log "the test server answered ${requests_logged} requests, none with a 5xx"
fi

e2e_passed=0 e2e_failed=0
if [ -f "$OUT/e2e.log" ]; then
	e2e_passed=$({ grep -o '[0-9]\+ passed' "$OUT/e2e.log" || true; } | awk '{s=$1} END {print s+0}')
	e2e_failed=$({ grep -o '[0-9]\+ \(failed\|error\)' "$OUT/e2e.log" || true; } | awk '{s+=$1} END {print s+0}')
fi
echo
echo "Frappe tests: ${ran:-0} ran, ${failed:-0} failed; browser tests: $e2e_passed passed, $e2e_failed failed;" \
	"operations checks: $ops_passed passed, $ops_failed failed"
if [ $status = 0 ]; then log "all tests passed"; else log "tests FAILED"; fi
echo "$(( ${ran:-0} - ${failed:-0} + e2e_passed + ops_passed )) passed, $(( ${failed:-0} + e2e_failed + ops_failed )) failed"
exit $status
