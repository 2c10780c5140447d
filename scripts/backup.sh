#!/usr/bin/env bash
# `make backup`: a full backup of each site of the bench that has the app (or BACKUP_SITE), into
# BACKUP_DIR/SITE/YYYYmmdd-HHMMSS/ (BACKUP_DIR: BENCH_DIR/backups): database, public and private files and the
# site config with its encryption key; archives checked. The newest BACKUP_KEEP sets of each site are kept (28:
# a week at the four a day that `make prod` schedules). Restore one with `make restore`.
source "$(dirname "$0")/lib.sh"

BACKUP_DIR=${BACKUP_DIR:-$BENCH_DIR/backups}
BACKUP_KEEP=${BACKUP_KEEP:-28}
if [ -n "${BACKUP_SITE:-}" ]; then
	sites=$BACKUP_SITE
else
	sites=$(cd "$BENCH_DIR/sites" && for s in */site_config.json; do d=${s%/site_config.json}; site_has_app "$d" && echo "$d"; done)
fi
stamp=$(date +%Y%m%d-%H%M%S)
for site in $sites; do
	dir="$BACKUP_DIR/$site/$stamp"
	backup_site "$site" "$dir"
	log "backup of $site: $dir"
	# older sets beyond the newest BACKUP_KEEP go
	as_bench "ls -1d '$BACKUP_DIR/$site'/*/ | sort | head -n -$BACKUP_KEEP | xargs -r rm -rf"
done
