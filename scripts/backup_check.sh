#!/usr/bin/env bash
# Backup that restores (issue 12): `bench backup --with-files` of a site, `bench restore` of it into a fresh
# site, then every row, opinion, history row and file (SHA-256) compared, and 附件1 rendered on both.
# Exits non-zero on any difference. scripts/test.sh runs it on the test site after the tests (SKIP_BACKUP_CHECK=1
# skips it); on its own: BACKUP_SITE=site bash scripts/backup_check.sh. The restored copy is dropped at the
# end (KEEP_RESTORED=1 keeps it).
source "$(dirname "$0")/lib.sh"

BACKUP_SITE=${BACKUP_SITE:-${TEST_SITE:-case-test.localhost}}
RESTORE_SITE=${RESTORE_SITE:-restored-$BACKUP_SITE}
WORK="$BENCH_DIR/run/backup-check"
CHECK="../env/bin/python ../apps/$APP/tests/backup/restore_check.py"

drop_restored() {
	if [ -d "$BENCH_DIR/sites/$RESTORE_SITE" ]; then
		quiet bench_cmd drop-site "$RESTORE_SITE" --force --no-backup --db-root-password "'$DB_ROOT_PASSWORD'" >/dev/null
	fi
}

install_checkout  # the check script runs from the bench copy
log "backup check: data that must survive on $BACKUP_SITE"
as_bench "rm -rf '$WORK' && mkdir -p '$WORK'"
as_bench "cd sites && $CHECK prepare --site $BACKUP_SITE"

log "backup check: make backup's steps (bench backup --with-files, archives checked)"
backup_site "$BACKUP_SITE" "$WORK/set"
as_bench "cd sites && $CHECK fingerprint --site $BACKUP_SITE --out '$WORK/before.json'" 2>&1 | { grep -v -E 'Property|^\s+from cryptography|CryptographyDeprecationWarning' || true; }

log "backup check: make restore's steps into a fresh site $RESTORE_SITE"
drop_restored
restore_site "$WORK/set" "$RESTORE_SITE"
as_bench "cd sites && $CHECK fingerprint --site $RESTORE_SITE --out '$WORK/after.json'" 2>&1 | { grep -v -E 'Property|^\s+from cryptography|CryptographyDeprecationWarning' || true; }

status=0
as_bench "cd sites && $CHECK compare '$WORK/before.json' '$WORK/after.json'" || status=1
[ "${KEEP_RESTORED:-0}" = 1 ] || drop_restored
as_bench "rm -rf '$WORK'"
if [ $status = 0 ]; then log "backup check passed"; else log "backup check FAILED"; fi
exit $status
