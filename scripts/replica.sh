#!/usr/bin/env bash
# Read replica (issue 12), on one machine: a second MariaDB instance replicating the sites' databases from
# the primary by GTID, and `read_from_replica` in each site's config, so Frappe's read-only endpoints
# (Desk lists and report views, query reports such as 签核历程, the city summary export) read from it.
#
#   REPLICA_SITES="site1 site2" bash scripts/replica.sh      (make replica; default: PROD_SITE)
#
# The primary is the system MariaDB (127.0.0.1:3306) unless DB_PRIMARY=own, which runs a primary of its own
# on DB_PRIMARY_PORT (a developer's private pair; the bench must then use that port: bench set-config -g
# db_port). Binary logging with GTID is required on the primary: when it is OFF, this script writes
# /etc/mysql/mariadb.conf.d/98-case-replication.cnf and restarts the system MariaDB ONCE; when it is already
# on, nothing on the primary is rewritten or restarted. The replica runs on REPLICA_PORT (3307) with its data
# in REPLICA_DATADIR, read_only, as user mysql. Idempotent: a replica that already replicates exactly these
# databases with both threads running is left alone; otherwise it is seeded again from a consistent dump
# (mariadb-dump --single-transaction --gtid) and replication resumes from the dump's GTID position.
# For a managed replica (cloud database), skip this script and set the same keys by hand (see README).
source "$(dirname "$0")/lib.sh"

DB_PRIMARY=${DB_PRIMARY:-system}
DB_PRIMARY_HOST=127.0.0.1
DB_PRIMARY_PORT=${DB_PRIMARY_PORT:-3306}
DB_PRIMARY_DATADIR=${DB_PRIMARY_DATADIR:-/srv/case-db/primary}
REPLICA_PORT=${REPLICA_PORT:-3307}
REPLICA_DATADIR=${REPLICA_DATADIR:-/srv/case-db/replica}
REPLICA_SITES=${REPLICA_SITES:-${PROD_SITE:-case-prod.localhost}}
REPL_USER=case_repl
REPL_PASSWORD_FILE=/etc/mysql/case-replication.secret
REPLICATION_CNF=/etc/mysql/mariadb.conf.d/98-case-replication.cnf

sql() { # sql PORT STATEMENT...: as root over TCP
	local port=$1
	shift
	mysql -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -P"$port" -N -B -e "$*"
}

# start_instance NAME PORT DATADIR SERVER_ID EXTRA_OPTIONS...: a mariadbd of our own (not the system one).
start_instance() {
	local name=$1 port=$2 datadir=$3 server_id=$4
	shift 4
	if mysqladmin -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -P"$port" ping >/dev/null 2>&1; then return 0; fi
	local fresh=0
	if [ ! -d "$datadir/mysql" ]; then
		log "initialising the $name MariaDB datadir $datadir"
		as_root mkdir -p "$datadir"
		as_root chown mysql: "$datadir"
		as_root mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=socket >/dev/null
		fresh=1
	fi
	log "starting the $name MariaDB on 127.0.0.1:$port"
	as_root bash -c "nohup mariadbd --no-defaults --user=mysql --datadir='$datadir' --port=$port \
		--bind-address=127.0.0.1 --socket='$datadir/mysqld.sock' --pid-file='$datadir/mysqld.pid' \
		--log-error='$datadir/error.log' --server-id=$server_id \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-character-set-client-handshake \
		--innodb-buffer-pool-size=256M $* >/dev/null 2>&1 &"
	for _ in $(seq 60); do
		as_root mysqladmin --socket="$datadir/mysqld.sock" ping >/dev/null 2>&1 && break
		sleep 1
	done
	if [ $fresh = 1 ]; then
		as_root mysql --socket="$datadir/mysqld.sock" -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA \
			mysql_native_password USING PASSWORD('$DB_ROOT_PASSWORD') OR unix_socket; \
			CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$DB_ROOT_PASSWORD'; \
			GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
	fi
	sql "$port" "select 1" >/dev/null || die "the $name MariaDB on port $port does not answer (see $datadir/error.log)"
}

PRIMARY_BINLOG_OPTIONS="--log-bin=mariadb-bin --binlog-format=ROW --log-slave-updates --expire-logs-days=7"

ensure_primary() {
	if [ "$DB_PRIMARY" = own ]; then
		# shellcheck disable=SC2086
		start_instance primary "$DB_PRIMARY_PORT" "$DB_PRIMARY_DATADIR" 1 $PRIMARY_BINLOG_OPTIONS
		return
	fi
	ensure_mariadb
	if [ "$(sql "$DB_PRIMARY_PORT" "select @@log_bin")" = 1 ] && [ "$(sql "$DB_PRIMARY_PORT" "select @@server_id")" != 0 ]; then
		log "binary logging is already on at the primary 127.0.0.1:$DB_PRIMARY_PORT (nothing rewritten)"
		return
	fi
	log "binary logging is OFF at the system MariaDB: writing $REPLICATION_CNF and restarting it (once)"
	as_root tee "$REPLICATION_CNF" >/dev/null <<-'CNF'
		# Written by case_selection scripts/replica.sh: the primary of a GTID read replica.
		[mysqld]
		server-id = 1
		log-bin = mariadb-bin
		binlog-format = ROW
		log-slave-updates = ON
		expire-logs-days = 7
	CNF
	as_root service mariadb restart >/dev/null 2>&1 || {
		as_root mysqladmin -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 shutdown || true
		sleep 3
		ensure_mariadb
	}
	for _ in $(seq 60); do sql "$DB_PRIMARY_PORT" "select 1" >/dev/null 2>&1 && break; sleep 1; done
	[ "$(sql "$DB_PRIMARY_PORT" "select @@log_bin")" = 1 ] || die "binary logging is still off at the primary"
}

slave_status() { mysql -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -P"$REPLICA_PORT" -e "SHOW SLAVE STATUS\G" 2>/dev/null || true; }

site_db() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db_name"])' "$BENCH_DIR/sites/$1/site_config.json"; }

ensure_primary
if [ "${PRIMARY_ONLY:-0}" = 1 ]; then exit 0; fi # a developer's own primary, before the bench points at it
[ -f "$REPL_PASSWORD_FILE" ] || { as_root bash -c "umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > $REPL_PASSWORD_FILE"; }
REPL_PASSWORD=$(as_root cat "$REPL_PASSWORD_FILE")
sql "$DB_PRIMARY_PORT" "CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
	ALTER USER '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD'; GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'127.0.0.1';"

replicated=()
if as_root test -f "$REPLICA_DATADIR/case-replicate-do-db"; then
	for db in $(as_root cat "$REPLICA_DATADIR/case-replicate-do-db" | tr ',' ' '); do replicated+=("--replicate-do-db=$db"); done
fi
start_instance replica "$REPLICA_PORT" "$REPLICA_DATADIR" 2 --read-only=ON --relay-log=relay-bin --log-slave-updates=OFF \
	--skip-slave-start "${replicated[@]}"
dbs=()
for site in $REPLICA_SITES; do
	[ -f "$BENCH_DIR/sites/$site/site_config.json" ] || die "no site $site in $BENCH_DIR"
	dbs+=("$(site_db "$site")")
done
wanted=$(printf '%s\n' "${dbs[@]}" | sort | paste -sd,)

status=$(slave_status)
current=$(sql "$REPLICA_PORT" "select @@replicate_do_db" | tr ',' '\n' | sort | paste -sd,)
if [ "$current" = "$wanted" ] && grep -q "Slave_IO_Running: Yes" <<<"$status" && grep -q "Slave_SQL_Running: Yes" <<<"$status"; then
	log "the replica on port $REPLICA_PORT already replicates $wanted"
elif [ "$current" = "$wanted" ] && [ -n "$status" ] && sql "$REPLICA_PORT" "START SLAVE" && sleep 2 &&
	slave_status | grep -q "Slave_SQL_Running: Yes"; then
	log "replication resumed on port $REPLICA_PORT ($wanted)"
else
	log "seeding the replica on port $REPLICA_PORT with $wanted (consistent dump at a GTID position)"
	sql "$REPLICA_PORT" "STOP SLAVE; RESET SLAVE ALL" 2>/dev/null || true
	dump=$(mktemp)
	mariadb-dump -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -P"$DB_PRIMARY_PORT" --single-transaction --gtid \
		--master-data=2 --routines --triggers --databases "${dbs[@]}" >"$dump"
	gtid=$(sed -n "s/^-- SET GLOBAL gtid_slave_pos='\(.*\)';/\1/p" "$dump" | head -n1)
	[ -n "$gtid" ] || gtid=$(sed -n "s/.*gtid_slave_pos='\([^']*\)'.*/\1/p" "$dump" | head -n1)
	for db in "${dbs[@]}"; do sql "$REPLICA_PORT" "DROP DATABASE IF EXISTS \`$db\`"; done
	mysql -uroot -p"$DB_ROOT_PASSWORD" -h127.0.0.1 -P"$REPLICA_PORT" <"$dump"
	rm -f "$dump"
	# The sites' database users live in the primary's `mysql` schema, which is not replicated: copy them.
	for db in "${dbs[@]}"; do
		while read -r user host; do
			create=$(sql "$DB_PRIMARY_PORT" "SHOW CREATE USER '$user'@'$host'")
			sql "$REPLICA_PORT" "DROP USER IF EXISTS '$user'@'$host'; $create"
			sql "$DB_PRIMARY_PORT" "SHOW GRANTS FOR '$user'@'$host'" | grep -v "^GRANT USAGE" | while read -r grant; do
				sql "$REPLICA_PORT" "$grant"
			done
		done < <(sql "$DB_PRIMARY_PORT" "select user, host from mysql.user where user = '$db'")
	done
	sql "$REPLICA_PORT" "SET GLOBAL replicate_do_db = '$wanted'; SET GLOBAL gtid_slave_pos = '$gtid';
		CHANGE MASTER TO MASTER_HOST='$DB_PRIMARY_HOST', MASTER_PORT=$DB_PRIMARY_PORT, MASTER_USER='$REPL_USER',
		MASTER_PASSWORD='$REPL_PASSWORD', MASTER_USE_GTID=slave_pos; START SLAVE;"
fi
for _ in $(seq 30); do
	s=$(slave_status)
	grep -q "Slave_IO_Running: Yes" <<<"$s" && grep -q "Slave_SQL_Running: Yes" <<<"$s" && break
	sleep 1
done
grep -q "Slave_SQL_Running: Yes" <<<"$s" && grep -q "Slave_IO_Running: Yes" <<<"$s" ||
	die "replication is not running: $(grep -E 'Last_(IO|SQL)_Error:' <<<"$s" | tr -s ' ')"
# Survives a restart of the replica: start_instance passes these at the next start.
echo "$wanted" | as_root tee "$REPLICA_DATADIR/case-replicate-do-db" >/dev/null

for site in $REPLICA_SITES; do
	bench_cmd --site "$site" set-config --parse read_from_replica 1
	bench_cmd --site "$site" set-config replica_host 127.0.0.1
	bench_cmd --site "$site" set-config --parse replica_db_port "$REPLICA_PORT"
done
log "read replica: 127.0.0.1:$REPLICA_PORT replicates $wanted from 127.0.0.1:$DB_PRIMARY_PORT (GTID $(sql "$REPLICA_PORT" "select @@gtid_slave_pos"))"
