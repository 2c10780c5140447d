#!/usr/bin/env bash
# Production bring-up (issue 12), as `bench setup production` arranges it, with Frappe's own generators:
# nginx in front (serves /assets and /files itself, private files through X-Accel-Redirect after Frappe's
# permission check, proxies the rest and socket.io), gunicorn with 2 × cores + 1 workers, RQ workers for
# the default, short and long queues and the app's import queue, the scheduler, socket.io and Redis, all under
# supervisor.
# Idempotent: reuses the bench and the site, copies this checkout, migrates, rewrites the generated config
# and restarts only what runs this bench. Ends with the smoke test through nginx (PROD_SMOKE=0 skips it).
#
# Variables: PROD_SITE (case-prod.localhost), PROD_HTTP_PORT (80), PROD_WEB_WORKERS (2 × cores + 1),
# PROD_BG_WORKERS (1 process per queue), PROD_SMOKE (1), PROD_SMOKE_SITE (smoke-$PROD_SITE),
# PROD_SMOKE_PORT (PROD_HTTP_PORT + 1), plus lib.sh's BENCH_DIR, DB_ROOT_PASSWORD, ADMIN_PASSWORD.
source "$(dirname "$0")/lib.sh"

PROD_SITE=${PROD_SITE:-case-prod.localhost}
PROD_HTTP_PORT=${PROD_HTTP_PORT:-80}
PROD_WEB_WORKERS=${PROD_WEB_WORKERS:-$((2 * $(nproc) + 1))}
PROD_BG_WORKERS=${PROD_BG_WORKERS:-1}
PROD_SMOKE=${PROD_SMOKE:-1}
PROD_SMOKE_SITE=${PROD_SMOKE_SITE:-smoke-$PROD_SITE}
PROD_SMOKE_PORT=${PROD_SMOKE_PORT:-$((PROD_HTTP_PORT + 1))}
BENCH_NAME=$(basename "$BENCH_DIR")
# Our names in /etc: several benches can live on one server without touching each other's files.
SUPERVISOR_CONF=/etc/supervisor/conf.d/case-prod-$BENCH_NAME.conf
NGINX_CONF=/etc/nginx/conf.d/case-prod-$BENCH_NAME.conf

# prod_site NAME PORT: the site with its nginx port, its URL as host_name (PDFs, links in notifications)
# and the scheduler on.
prod_site() {
	local site=$1 port=$2
	ensure_site "$site" "$port"
	bench_cmd --site "$site" set-config --parse nginx_port "$port"
	bench_cmd --site "$site" set-config host_name "http://$site$([ "$port" = 80 ] || echo ":$port")"
	bench_cmd --site "$site" enable-scheduler >/dev/null
}

supervisor_running() { as_root supervisorctl pid >/dev/null 2>&1; }

ensure_packages
ensure_packages prod # nginx and supervisor (scripts/packages.txt)
ensure_mariadb
ensure_bench
install_checkout
start_redis # for the site set-up; supervisor takes Redis over below

prod_site "$PROD_SITE" "$PROD_HTTP_PORT"
[ "$PROD_SMOKE" = 1 ] && prod_site "$PROD_SMOKE_SITE" "$PROD_SMOKE_PORT"

log "gunicorn: $PROD_WEB_WORKERS workers (2 × $(nproc) cores + 1); RQ: $PROD_BG_WORKERS process(es) per queue"
bench_cmd set-config -g --parse gunicorn_workers "$PROD_WEB_WORKERS" >/dev/null
bench_cmd set-config -g --parse background_workers "$PROD_BG_WORKERS" >/dev/null
bench_cmd set-config -g --parse serve_default_site False >/dev/null
# Data Import on a queue with a worker of its own (case_selection.overrides.data_import.import_queue), not behind the
# notification jobs a burst of signatures puts on the default queue. timeout: the seconds supervisor waits for
# a stopping worker (Frappe's template) — an import cut by a restart resumes with 重试 (Frappe's importer skips
# the rows its log records as in).
bench_cmd set-config -g --parse workers "'{\"import\": {\"timeout\": 600}}'" >/dev/null

# Frappe's generators write config/supervisor.conf and config/nginx.conf in the bench; /etc only links them.
log "supervisor and nginx configuration (bench setup supervisor / bench setup nginx)"
as_bench "PATH=/usr/local/bin:\$PATH bench setup supervisor --user $BENCH_USER --yes >/dev/null"
as_bench "PATH=/usr/local/bin:\$PATH bench setup nginx --yes >/dev/null"
as_root ln -sfn "$BENCH_DIR/config/supervisor.conf" "$SUPERVISOR_CONF"
as_root ln -sfn "$BENCH_DIR/config/nginx.conf" "$NGINX_CONF"
# Frappe's server blocks log with the format "main", which bench's own nginx.conf (bench setup role nginx)
# defines; Debian's nginx.conf does not.
if ! grep -rqs "log_format\s\+main\b" /etc/nginx/nginx.conf /etc/nginx/conf.d/; then
	echo "log_format main '\$remote_addr - \$remote_user [\$time_local] \"\$request\" \$status \$body_bytes_sent \"\$http_referer\" \"\$http_user_agent\" \$request_time';" |
		as_root tee /etc/nginx/conf.d/00-case-prod-log-format.conf >/dev/null
fi
# Debian's default server would answer for unknown host names on port 80 (bench setup production removes it too).
as_root rm -f /etc/nginx/sites-enabled/default
# nginx (www-data) reads /assets and public /files straight from the bench.
as_root chmod o+x "$(dirname "$BENCH_DIR")" "$BENCH_DIR" "$BENCH_DIR/sites"

# make demo's server (Frappe's werkzeug on the bench's webserver_port, 8000) and its hand-started RQ worker give way to
# the supervised gunicorn and workers: the supervised gunicorn would loop on "Connection in use" and nginx would
# proxy every site to the demo's server, pinned to its own site.
DEMO_SITE=${DEMO_SITE:-case.localhost}
if [ -f "$BENCH_DIR/run/$DEMO_SITE.pid" ]; then
	log "stopping make demo's server for $DEMO_SITE: make prod serves this bench from now on"
fi
stop_demo "$DEMO_SITE"
web_port=$(sed -n 's/.*"webserver_port": \([0-9]*\).*/\1/p' "$BENCH_DIR/sites/common_site_config.json")
if ! supervisor_running && (exec 3<>"/dev/tcp/127.0.0.1/${web_port:-8000}") 2>/dev/null; then
	die "port ${web_port:-8000} (the bench's webserver_port) is held by a server that is not this bench's supervisor: stop it first"
fi

# Redis started by the scripts (daemonized) gives way to the supervised one on the same port.
for conf in redis_cache redis_queue; do
	port=$(sed -n 's/^port //p' "$BENCH_DIR/config/$conf.conf")
	program="$BENCH_NAME-${conf/_/-}"
	if ! { supervisor_running && as_root supervisorctl status "$BENCH_NAME-redis:$program" 2>/dev/null | grep -q RUNNING; }; then
		redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
	fi
done

if supervisor_running; then
	as_root supervisorctl reread >/dev/null
	as_root supervisorctl update >/dev/null
	log "restarting $BENCH_NAME web and workers (new code)"
	as_root supervisorctl restart "$BENCH_NAME-web:" "$BENCH_NAME-workers:" >/dev/null
else
	log "starting supervisor"
	as_root service supervisor start >/dev/null 2>&1 || as_root supervisord -c /etc/supervisor/supervisord.conf
fi
for _ in $(seq 60); do
	as_root supervisorctl status 2>/dev/null | grep "^$BENCH_NAME-" | grep -qv RUNNING || break
	sleep 2
done
as_root supervisorctl status | grep "^$BENCH_NAME-" || true

as_root nginx -t 2>&1 | grep -v "successful\|syntax is ok" || true
if pgrep -x nginx >/dev/null; then as_root nginx -s reload; else as_root service nginx start >/dev/null 2>&1 || as_root nginx; fi

# Four backups a day (`make backup`: every site of the bench with the app, the newest 28 sets kept), from the
# bench user's crontab; cron itself is started if it is not running.
backup_line="30 2,8,14,20 * * * cd $BENCH_DIR && bash apps/$APP/scripts/backup.sh >> $BENCH_DIR/logs/backup.log 2>&1"
as_root bash -c "{ crontab -u $BENCH_USER -l 2>/dev/null | grep -v 'scripts/backup.sh' || true; echo '$backup_line'; } | crontab -u $BENCH_USER -"
pgrep -x cron >/dev/null || as_root service cron start >/dev/null 2>&1 || as_root cron
log "scheduled backups: $(as_root crontab -u "$BENCH_USER" -l | grep scripts/backup.sh)"

url="http://$PROD_SITE:$PROD_HTTP_PORT"
for _ in $(seq 60); do curl -fs -o /dev/null "$url/api/method/ping" && break; sleep 1; done
curl -fs -o /dev/null "$url/api/method/ping" || die "$url does not answer through nginx"

if [ "$PROD_SMOKE" = 1 ]; then
	bash "$REPO_DIR/scripts/prod_smoke.sh"
fi

cat <<MSG

Production: $url/app   (nginx → gunicorn 127.0.0.1:$(sed -n 's/.*"webserver_port": \([0-9]*\).*/\1/p' "$BENCH_DIR/sites/common_site_config.json"), $PROD_WEB_WORKERS workers)
Processes:  supervisorctl status '$BENCH_NAME-web:*' '$BENCH_NAME-workers:*' '$BENCH_NAME-redis:*'
Config:     $SUPERVISOR_CONF → $BENCH_DIR/config/supervisor.conf
            $NGINX_CONF → $BENCH_DIR/config/nginx.conf
Logs:       $BENCH_DIR/logs/{web,worker,schedule,node-socketio}.log
MSG
