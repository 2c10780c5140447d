# shellcheck shell=bash
# Shared steps of scripts/demo.sh and scripts/test.sh. Every step checks before it acts, so running a
# script twice changes nothing the second time, and an existing bench (BENCH_DIR) is reused as it is.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_USER=${BENCH_USER:-frappe}
BENCH_HOME=$(getent passwd "$BENCH_USER" 2>/dev/null | cut -d: -f6 || true)
BENCH_HOME=${BENCH_HOME:-/home/$BENCH_USER}
BENCH_DIR=${BENCH_DIR:-$BENCH_HOME/frappe-bench}
FRAPPE_REPO=${FRAPPE_REPO:-https://github.com/frappe/frappe}
FRAPPE_BRANCH=${FRAPPE_BRANCH:-version-15}
DB_ROOT_PASSWORD=${DB_ROOT_PASSWORD:-case-selection-root}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin}
APP=case_selection

log() { printf '\033[1;34m[case_selection]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[case_selection] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# bench refuses root, so every bench command runs as BENCH_USER, inside the bench folder.
as_bench() {
	local cmd="cd '$BENCH_DIR' && $*"
	if [ "$(id -un)" = "$BENCH_USER" ]; then bash -c "$cmd"; else as_root runuser -u "$BENCH_USER" -- bash -lc "$cmd"; fi
}

bench_cmd() { as_bench "PATH=/usr/local/bin:\$PATH bench $*"; }

# For long commands: drops the carriage-return progress bars that would flood a CI log.
quiet() {
	local rc=0
	"$@" 2>&1 | tr '\r' '\n' | { grep -v -E '^(Updating DocTypes|Syncing)|^$' || true; } || rc=$?
	return $rc
}

PACKAGES_FILE="$REPO_DIR/scripts/packages.txt"

# package_present PACKAGE [COMMAND|/PATH]...: all the commands on PATH (sbin folders included) and all
# the paths there; with neither, the Debian package installed.
package_present() {
	local pkg=$1 what PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
	shift
	if [ $# = 0 ]; then
		[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ]
		return
	fi
	for what in "$@"; do
		if [ "${what:0:1}" = / ]; then
			compgen -G "$what" >/dev/null || return 1
		else
			command -v "$what" >/dev/null || return 1
		fi
	done
}

# missing_packages GROUP: the lines of scripts/packages.txt of GROUP that are not present.
missing_packages() {
	local pkg group rest
	while read -r pkg group rest; do
		if [ -z "$pkg" ] || [ "${pkg:0:1}" = "#" ] || [ "$group" != "$1" ]; then continue; fi
		# shellcheck disable=SC2086 # the commands and paths are words
		package_present "$pkg" ${rest%%#*} || echo "$pkg"
	done <"$PACKAGES_FILE"
}

# ensure_packages [GROUP]: everything scripts/packages.txt lists for GROUP (base: demo and test; prod).
ensure_packages() {
	local group=${1:-base} pkg debs=() npms=() pips=()
	for pkg in $(missing_packages "$group"); do
		if [ "${pkg#npm:}" != "$pkg" ]; then
			npms+=("${pkg#npm:}")
		elif [ "${pkg#pip:}" != "$pkg" ]; then
			pips+=("${pkg#pip:}")
		else
			debs+=("$pkg")
		fi
	done
	if [ ${#debs[@]} -gt 0 ]; then
		log "installing Debian packages: ${debs[*]}"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >/dev/null
	fi
	if [ ${#npms[@]} -gt 0 ]; then
		log "installing from npm: ${npms[*]}"
		as_root npm install -g "${npms[@]}" >/dev/null
	fi
	if [ ${#pips[@]} -gt 0 ]; then
		# frappe-bench in a virtualenv of its own (Debian's Python refuses system-wide pip installs).
		log "installing from PyPI: ${pips[*]}"
		[ -x /opt/bench-cli/bin/pip ] || as_root /usr/bin/python3 -m venv /opt/bench-cli
		as_root /opt/bench-cli/bin/pip install -q "${pips[@]}" 2>&1 | grep -v '^WARNING: Location' || true
		as_root ln -sf /opt/bench-cli/bin/bench /usr/local/bin/bench
		# bench 5.2x creates the bench's virtualenv with uv, which comes with it.
		as_root ln -sf /opt/bench-cli/bin/uv /usr/local/bin/uv
	fi
	local still
	still=$(missing_packages "$group" | paste -sd' ')
	[ -z "$still" ] || die "still missing after installing: $still (see scripts/packages.txt)"
	getent passwd "$BENCH_USER" >/dev/null || { log "creating user $BENCH_USER"; as_root useradd -m -s /bin/bash "$BENCH_USER"; }
}

ensure_mariadb() {
	local cnf=/etc/mysql/mariadb.conf.d/99-frappe.cnf
	if [ ! -f "$cnf" ]; then
		as_root tee "$cnf" >/dev/null <<-'EOF'
			[mysqld]
			character-set-client-handshake = FALSE
			character-set-server = utf8mb4
			collation-server = utf8mb4_unicode_ci
			[mysql]
			default-character-set = utf8mb4
		EOF
	fi
	# InnoDB's buffer pool: a quarter of the memory (256 MB to 4 GB), not Debian's 128 MB. The current round's rows
	# and indexes then stay in memory however many past rounds the tables hold (issue 20: at 100,000 cases the
	# default pool held too little of them and the same query read from disk).
	local pool_mb
	pool_mb=$(awk '/MemTotal/ { mb = int($2 / 1024 / 4); if (mb < 256) mb = 256; if (mb > 4096) mb = 4096; print mb }' /proc/meminfo)
	if ! grep -qs "innodb_buffer_pool_size = ${pool_mb}M" /etc/mysql/mariadb.conf.d/97-case-memory.cnf; then
		printf '[mysqld]\ninnodb_buffer_pool_size = %sM\n' "$pool_mb" | as_root tee /etc/mysql/mariadb.conf.d/97-case-memory.cnf >/dev/null
	fi
	if ! mysqladmin ping >/dev/null 2>&1 && ! as_root mysqladmin ping >/dev/null 2>&1; then
		log "starting MariaDB"
		as_root service mariadb start >/dev/null || as_root mysqld_safe --user=mysql >/dev/null 2>&1 &
		for _ in $(seq 60); do as_root mysqladmin ping >/dev/null 2>&1 && break; sleep 1; done
	fi
	# Frappe connects over TCP with a password; Debian's root uses the unix socket only.
	if ! mysql -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -e 'select 1' >/dev/null 2>&1; then
		log "setting the MariaDB root password"
		as_root mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('$DB_ROOT_PASSWORD') OR unix_socket; FLUSH PRIVILEGES;"
	fi
	# A server started before the setting (or by another config) takes it now: the pool resizes online.
	mysql -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -e \
		"SET GLOBAL innodb_buffer_pool_size = IF(@@innodb_buffer_pool_size < ${pool_mb} * 1048576, ${pool_mb} * 1048576, @@innodb_buffer_pool_size)" \
		>/dev/null 2>&1 || true
}

# A bench counts as made only when bench init finished: the marker is written after it returns. A folder
# left by an init that failed half-way (no marker) is removed and made again, so a rerun resumes cleanly.
BENCH_MARKER=.case_selection_bench_ready

ensure_bench() {
	if [ -f "$BENCH_DIR/$BENCH_MARKER" ]; then
		log "reusing the bench at $BENCH_DIR"
	elif [ -f "$BENCH_DIR/apps/frappe/frappe/__init__.py" ] && [ -f "$BENCH_DIR/sites/assets/assets.json" ] &&
		[ -x "$BENCH_DIR/env/bin/python" ]; then
		# A bench made before the marker existed, or by hand: complete enough to use.
		log "reusing the bench at $BENCH_DIR"
		as_bench "touch $BENCH_MARKER"
	else
		if [ -e "$BENCH_DIR" ]; then
			log "removing the unfinished bench at $BENCH_DIR (an earlier bench init did not complete)"
			as_root rm -rf "$BENCH_DIR"
		fi
		log "creating a bench at $BENCH_DIR from $FRAPPE_REPO ($FRAPPE_BRANCH)"
		as_root mkdir -p "$(dirname "$BENCH_DIR")"
		as_root chown "$BENCH_USER" "$(dirname "$BENCH_DIR")"
		# bench init ends by restarting the bench's supervisor programs (bench.reload). On a server where
		# supervisord runs (make prod) its socket is root's, so bench falls back to `sudo supervisorctl`,
		# and without sudo that error aborts the whole init. A new bench has no programs to restart: a
		# supervisorctl that answers "not found" (exit 127) makes bench skip the restart, as it does on a
		# machine without supervisor.
		local shim
		shim=$(as_root runuser -u "$BENCH_USER" -- mktemp -d)
		as_root runuser -u "$BENCH_USER" -- bash -c "printf '#!/bin/sh\nexit 127\n' >'$shim/supervisorctl' && chmod +x '$shim/supervisorctl'"
		if ! as_root runuser -u "$BENCH_USER" -- bash -lc "cd '$(dirname "$BENCH_DIR")' && PATH='$shim':/usr/local/bin:\$PATH \
			bench init --frappe-path '$FRAPPE_REPO' --frappe-branch '$FRAPPE_BRANCH' --python /usr/bin/python3 \
			'$(basename "$BENCH_DIR")' </dev/null"; then
			as_root rm -rf "$BENCH_DIR" "$shim"
			die "bench init failed; the unfinished bench was removed, run the command again once the cause is fixed"
		fi
		as_root rm -rf "$shim"
		as_bench "touch $BENCH_MARKER"
	fi
	# Frappe v15 still imports pkg_resources, which setuptools 81+ no longer ships.
	as_bench "./env/bin/python -c 'import pkg_resources' 2>/dev/null || ./env/bin/pip install -q 'setuptools<80'"
}

start_redis() {
	local conf
	for conf in redis_cache redis_queue; do
		local port
		port=$(sed -n 's/^port //p' "$BENCH_DIR/config/$conf.conf")
		if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
			log "starting $conf on port $port"
			as_bench "redis-server config/$conf.conf --daemonize yes >/dev/null"
		fi
	done
}

# Copies this checkout into the bench (the bench user may not be able to read it where it is) and
# installs it into the bench's Python environment.
install_checkout() {
	log "installing the checkout $REPO_DIR into $BENCH_DIR/apps/$APP"
	as_root mkdir -p "$BENCH_DIR/apps/$APP"
	as_root rsync -a --delete --exclude .git --exclude '*.egg-info' --exclude __pycache__ \
		"$REPO_DIR/" "$BENCH_DIR/apps/$APP/"
	as_root chown -R "$BENCH_USER:" "$BENCH_DIR/apps/$APP"
	# pip installs the app and what setup.py asks for again whenever setup.py changed (a stamp in the env).
	local stamp="$BENCH_DIR/env/.case_selection-setup.sha256" sum
	sum=$(sha256sum "$REPO_DIR/setup.py" | cut -d' ' -f1)
	if ! as_bench "./env/bin/python -c 'import $APP' 2>/dev/null" || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
		as_bench "./env/bin/pip install -q -e apps/$APP && echo $sum > '$stamp'"
	fi
	# apps.txt often lacks a final newline; add one before appending.
	as_bench "grep -qx $APP sites/apps.txt || { sed -i -e '\$a\\' sites/apps.txt; echo $APP >> sites/apps.txt; }"
	as_bench "mkdir -p sites/assets && ln -sfn ../../apps/$APP/$APP/public sites/assets/$APP"
}

# A site this script starts making is marked unfinished (BENCH_DIR/sites/.unfinished-NAME) until bench
# new-site and the first install of the app have both finished. bench new-site stops half-way without
# cleaning up, and an install that failed half-way cannot simply be run again; so a site still marked
# unfinished (the run failed or was interrupted) is dropped and made again, and a rerun resumes cleanly.
# Sites without the mark (made earlier, or by hand) are never dropped.
unfinished_mark() { echo "$BENCH_DIR/sites/.unfinished-$1"; }

site_has_app() {
	local apps # not piped into grep -q: under pipefail, grep quitting early would fail the pipe
	apps=$(bench_cmd --site "$1" list-apps 2>/dev/null) || return 1
	grep -q "^$APP\b" <<<"$apps"
}

drop_unfinished_site() {
	local site=$1
	log "removing the unfinished site $site"
	if [ -f "$BENCH_DIR/sites/$site/site_config.json" ]; then
		quiet bench_cmd drop-site "$site" --force --no-backup --db-root-password "'$DB_ROOT_PASSWORD'" >/dev/null || true
	fi
	as_root rm -rf "$BENCH_DIR/sites/$site"
}

# ensure_app SITE: the app installed on SITE. A first install that fails is undone (uninstall-app --force
# removes what it made), so the next run installs from a clean state.
ensure_app() {
	local site=$1
	site_has_app "$site" && return 0
	log "installing $APP on $site"
	if ! quiet bench_cmd --site "$site" install-app "$APP" --force; then
		log "undoing the unfinished install of $APP on $site"
		quiet bench_cmd --site "$site" uninstall-app "$APP" --yes --no-backup --force >/dev/null || true
		return 1
	fi
}

# ensure_site NAME PORT: a site with this app installed, migrated to this checkout.
ensure_site() {
	local site=$1 port=$2 dir="$BENCH_DIR/sites/$1"
	# The site's host name must resolve: wkhtmltopdf loads the print CSS from the site's URL.
	getent hosts "$site" >/dev/null ||
		echo "127.0.0.1 $site # case_selection" | as_root tee -a /etc/hosts >/dev/null
	if [ -f "$(unfinished_mark "$site")" ]; then
		log "$site was left unfinished by an earlier run"
		drop_unfinished_site "$site"
	elif [ -d "$dir" ] && [ ! -f "$dir/site_config.json" ]; then
		as_root rm -rf "$dir" # a folder bench new-site made before it was stopped, nothing in it yet
	fi
	if [ ! -d "$dir" ]; then
		log "creating site $site"
		as_bench "touch '$(unfinished_mark "$site")'"
		# --force: a database of this site's name left by an interrupted new-site is replaced (the name is
		# derived from the site's path, so no other site owns it).
		if ! quiet bench_cmd new-site "$site" --force --db-root-username root --db-root-password "'$DB_ROOT_PASSWORD'" \
			--admin-password "'$ADMIN_PASSWORD'"; then
			drop_unfinished_site "$site"
			as_root rm -f "$(unfinished_mark "$site")"
			die "bench new-site $site failed; the unfinished site was removed, run the command again once the cause is fixed"
		fi
		bench_cmd --site "$site" set-config host_name "http://$site:$port"
		if ! ensure_app "$site"; then
			drop_unfinished_site "$site"
			as_root rm -f "$(unfinished_mark "$site")"
			die "installing $APP on the new site $site failed; the site was removed, run the command again once the cause is fixed"
		fi
		as_root rm -f "$(unfinished_mark "$site")"
	fi
	bench_cmd --site "$site" set-config host_name "http://$site:$port"
	ensure_app "$site" || die "installing $APP on $site failed (undone); run the command again once the cause is fixed"
	quiet bench_cmd --site "$site" migrate
}

# queue_mail_unsent NAME: Frappe's Notifications queue their emails only through an outgoing mail server; a
# site made for the demo, the tests or measurements gets a local one and keeps every email in its Email Queue
# unsent (mute_emails). An office configures its own server instead (Desk → Email Account).
queue_mail_unsent() {
	bench_cmd --site "$1" set-config mail_server localhost
	bench_cmd --site "$1" set-config --parse mute_emails 1
}

# serve_site NAME PORT: the site on localhost, PID in BENCH_DIR/run/NAME.pid. Frappe's own server (threaded
# werkzeug) also serves /assets, which wkhtmltopdf fetches for every PDF; gunicorn alone does not (in
# production nginx serves them). SERVER=gunicorn picks gunicorn for load tests of API calls.
serve_site() {
	local site=$1 port=$2 workers=${3:-4}
	local pidfile="$BENCH_DIR/run/$site.pid"
	as_bench "mkdir -p run"
	stop_site "$site"
	# Another server on the port would answer the tests with whatever code it loaded: refuse to go on.
	# (bash's /dev/tcp: a connection is accepted only where something listens; no package needed)
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port is already in use (another server?): stop it first"
	fi
	log "serving $site on http://$site:$port (${SERVER:-werkzeug})"
	if [ "${SERVER:-werkzeug}" = gunicorn ]; then
		as_bench "cd sites && ../env/bin/gunicorn -b 127.0.0.1:$port -w $workers -t 120 --daemon \
			--pid ../run/$site.pid --error-logfile ../logs/gunicorn-$site.log \
			--access-logfile ../logs/serve-$site.log frappe.app:application"
	else
		# CI empty in its environment: Frappe's `serve` silences werkzeug's request lines under CI, and the test
		# run's 5xx check (scripts/test.sh) reads them.
		as_bench "nohup env CI= PATH=/usr/local/bin:\$PATH bench --site $site serve --port $port --noreload \
			>>$BENCH_DIR/logs/serve-$site.log 2>&1 & echo \$! > $pidfile"
	fi
	for _ in $(seq 90); do
		curl -fs -o /dev/null "http://$site:$port/api/method/ping" && { assert_serves "$site" "http://$site:$port"; return 0; }
		sleep 1
	done
	die "the server for $site did not answer on port $port"
}

# assert_serves SITE URL: the server at URL answers as SITE. A server pinned to another site (make demo's
# `bench --site X serve`) answers every host name with its own site: a test or a figure taken through it would
# be about the wrong site, so it is an error, not a result.
assert_serves() {
	local site=$1 url=$2 served
	served=$(curl -fs "$url/api/method/case_selection.api.site.served_site" 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["message"])' 2>/dev/null || true)
	[ "$served" = "$site" ] ||
		die "$url answers as ${served:-something that is not a site of this app}, not as $site: stop what holds the port"
}

# stop_demo [SITE]: make demo's server and its hand-started RQ worker (the pattern's [f] keeps pkill from finding
# the shell that runs this very command line).
stop_demo() {
	local site=${1:-${DEMO_SITE:-case.localhost}}
	stop_site "$site"
	as_root pkill -f "[f]rappe.utils.bench_helper frappe --site $site worker" || true
}

stop_site() {
	local pidfile="$BENCH_DIR/run/$1.pid"
	if [ -f "$pidfile" ]; then
		as_root pkill -P "$(cat "$pidfile")" 2>/dev/null || true
		as_root kill "$(cat "$pidfile")" 2>/dev/null || true
		rm -f "$pidfile"
		sleep 1
	fi
}

# backup_site SITE DIR: database, public and private files and the site's config (it holds the encryption key,
# without which passwords and seal keys cannot be read back) into DIR, each archive checked for integrity.
backup_site() {
	local site=$1 dir=$2
	as_bench "mkdir -p '$dir'"
	bench_cmd --site "$site" backup --with-files --backup-path "'$dir'" >/dev/null
	as_bench "gzip -t '$dir'/*-database.sql.gz && for t in '$dir'/*.tar; do tar -tf \"\$t\" >/dev/null; done"
	ls "$dir"/*-site_config_backup.json >/dev/null || die "backup of $site has no site_config_backup.json"
}

# restore_site DIR SITE: Frappe's procedure for a new server — a new, empty site (unless it exists), then
# `bench restore` of DIR's database and files over it, and the site's encryption key from the backup (no
# migrate: restore.sh runs it, for a backup made by an older version of the app).
restore_site() {
	local dir=$1 site=$2 db public private config key
	db=$(ls "$dir"/*-database.sql.gz) || die "no database backup in $dir"
	public=$(ls "$dir"/*-files.tar | grep -v -- '-private-files.tar$')
	private=$(ls "$dir"/*-private-files.tar)
	config=$(ls "$dir"/*-site_config_backup.json)
	if [ ! -f "$BENCH_DIR/sites/$site/site_config.json" ]; then
		quiet bench_cmd new-site "$site" --db-root-username root --db-root-password "'$DB_ROOT_PASSWORD'" \
			--admin-password "'$ADMIN_PASSWORD'" >/dev/null
	fi
	quiet bench_cmd --site "$site" restore "'$db'" --with-public-files "'$public'" --with-private-files "'$private'" \
		--db-root-username root --db-root-password "'$DB_ROOT_PASSWORD'" --admin-password "'$ADMIN_PASSWORD'" --force
	key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("encryption_key", ""))' "$config")
	[ -z "$key" ] || bench_cmd --site "$site" set-config encryption_key "'$key'" >/dev/null
}
