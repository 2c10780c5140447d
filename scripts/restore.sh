#!/usr/bin/env bash
# `make restore RESTORE_FROM=DIR RESTORE_SITE=SITE`: one backup set written by `make backup` (DIR holds its
# *-database.sql.gz, *-files.tar, *-private-files.tar and *-site_config_backup.json) restored into SITE: made
# new if it does not exist; an existing site is overwritten only with RESTORE_FORCE=1. Then migrated, and the
# count of cases and signatures printed so the operator sees what came back.
source "$(dirname "$0")/lib.sh"

[ -n "${RESTORE_FROM:-}" ] && [ -d "$RESTORE_FROM" ] || die "RESTORE_FROM=DIR: a backup set written by make backup"
[ -n "${RESTORE_SITE:-}" ] || die "RESTORE_SITE=SITE: the site to restore into"
if [ -f "$BENCH_DIR/sites/$RESTORE_SITE/site_config.json" ] && [ "${RESTORE_FORCE:-0}" != 1 ]; then
	die "$RESTORE_SITE exists: RESTORE_FORCE=1 overwrites it with the backup"
fi
ensure_mariadb
restore_site "$RESTORE_FROM" "$RESTORE_SITE"
quiet bench_cmd --site "$RESTORE_SITE" migrate
as_bench "cd sites && ../env/bin/python -c \"
import frappe
frappe.init(site='$RESTORE_SITE', sites_path='.'); frappe.connect()
print('restored $RESTORE_SITE:', frappe.db.count('Case Application'), 'cases,', frappe.db.count('Case Cosign Opinion'), 'signatures,', frappe.db.count('File'), 'files')
\""
