#!/usr/bin/env bash
# Brings up the Desk with demo data on http://case.localhost:8000 (and http://localhost:8000).
# Idempotent: reuses the bench, the site and the demo data; installs this checkout each time.
source "$(dirname "$0")/lib.sh"

SITE=${DEMO_SITE:-case.localhost}
PORT=${DEMO_PORT:-8000}

ensure_packages
ensure_mariadb
ensure_bench
start_redis
install_checkout
ensure_site "$SITE" "$PORT"
queue_mail_unsent "$SITE"
bench_cmd use "$SITE"
# Data Import of paper forms runs on the RQ worker started below; Frappe refuses to start one while the
# scheduler is disabled.
bench_cmd --site "$SITE" enable-scheduler >/dev/null
bench_cmd --site "$SITE" execute case_selection.demo.load
bench_cmd --site "$SITE" clear-cache
serve_site "$SITE" "$PORT" "${DEMO_WORKERS:-4}"
# Background jobs (casebook, city-wide exports, Data Import) run on an RQ worker. The pattern's [f] keeps
# pgrep from finding the shell that runs this very command line (which contains the pattern).
as_bench "pgrep -f '[f]rappe.utils.bench_helper frappe --site $SITE worker' >/dev/null || \
	(nohup env PATH=/usr/local/bin:\$PATH bench --site $SITE worker >logs/worker-$SITE.log 2>&1 &)"

cat <<MSG

Desk: http://$SITE:$PORT/app   (also http://localhost:$PORT/app)
Administrator / $ADMIN_PASSWORD
$(bench_cmd --site "$SITE" execute case_selection.demo.credentials 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin))' || true)
Stop: kill \$(cat $BENCH_DIR/run/$SITE.pid)
MSG
