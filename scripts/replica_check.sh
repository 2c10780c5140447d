#!/usr/bin/env bash
# Read replica check (tests/replica/check_replica.py) on a served site: sets the replica up for it
# (scripts/replica.sh), checks, then turns read_from_replica off again for that site (KEEP_REPLICA=1 keeps
# it). scripts/test.sh runs it on the test site when REPLICA_TEST=1 (the default in CI, where the system
# MariaDB may be restarted once to turn binary logging on); variables as scripts/replica.sh.
source "$(dirname "$0")/lib.sh"

SITE=${REPLICA_CHECK_SITE:-${TEST_SITE:-case-test.localhost}}
URL=${REPLICA_CHECK_URL:-http://$SITE:${TEST_PORT:-8011}}
CHECK="../env/bin/python ../apps/$APP/tests/replica/check_replica.py"

install_checkout # the check script runs from the bench copy
REPLICA_SITES=$SITE bash "$REPO_DIR/scripts/replica.sh"
data=$(as_bench "cd sites && $CHECK prepare --site $SITE" | tail -n1)
status=0
assert_serves "$SITE" "$URL"
as_bench "cd sites && $CHECK run --site $SITE --url $URL --data '$data' --db-root-password '$DB_ROOT_PASSWORD' \
	--primary-port ${DB_PRIMARY_PORT:-3306} --replica-port ${REPLICA_PORT:-3307} --admin-password '$ADMIN_PASSWORD'" || status=1
if [ "${KEEP_REPLICA:-0}" != 1 ]; then
	bench_cmd --site "$SITE" set-config --parse read_from_replica 0
fi
exit $status
