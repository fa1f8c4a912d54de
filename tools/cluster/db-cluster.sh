#!/usr/bin/env bash
# The scaling-out test topology on this machine, without Docker (issue 19 item 1):
#   a PostgreSQL primary (port 55432) with a streaming hot standby (55433), made by pg_basebackup -R;
#   a 3-node MariaDB Galera cluster (ports 3317, 3318, 3319; group ports 4567, 4577, 4587).
# Usage: tools/cluster/db-cluster.sh up | down | status | running | env
#   up      starts what is not running (idempotent), in $ATHANOR_CLUSTER_DIR (default /tmp/athanor-cluster)
#   down    stops what it started and removes the data directories
#   status  says what runs
#   running exits 0 when all five servers answer
#   pg-kill-primary, pg-promote, pg-reset, galera-kill N   the failover drills' faults and repair
#   env     prints the URLs (ATHANOR_PG_PRIMARY_URL, ATHANOR_PG_STANDBY_URL, ATHANOR_GALERA_URLS) for eval
# It needs the PostgreSQL server binaries, MariaDB with Galera (Debian's galera-4) and to run as root
# or as a user that may run them; where something is missing it says so and exits 3 (tests skip).
set -euo pipefail

DIR="${ATHANOR_CLUSTER_DIR:-/tmp/athanor-cluster}"
PG_PRIMARY=55432
PG_STANDBY=55433
GALERA_PORTS=(3317 3318 3319)
GALERA_GROUP=(4567 4577 4587)
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
GALERA_LIB="$(ls /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so 2>/dev/null | head -n1 || true)"

missing() { echo "[cluster] $1" >&2; exit 3; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_my() { if [ "$(id -u)" = 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi; }
own() { if [ "$(id -u)" = 0 ]; then chown -R "$1" "$2"; fi; }

pg_up() {
  [ -x "$PGBIN/pg_ctl" ] || missing "no PostgreSQL server binaries (pg_ctl) under /usr/lib/postgresql"
  mkdir -p "$DIR/pg-sockets"
  chmod 755 "$DIR"
  # Outside the data directories, so that pg_basebackup does not meet the primary's socket.
  own postgres:postgres "$DIR/pg-sockets"
  if [ ! -f "$DIR/pg-primary/PG_VERSION" ]; then
    mkdir -p "$DIR/pg-primary"
    own postgres:postgres "$DIR/pg-primary"
    chmod 700 "$DIR/pg-primary"
    as_pg "$PGBIN/initdb" -D "$DIR/pg-primary" -U postgres --auth=trust -E UTF8 >/dev/null
    cat >> "$DIR/pg-primary/postgresql.conf" <<EOF
port = $PG_PRIMARY
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/pg-sockets'
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = off
# Synchronous replication: a COMMIT returns once the standby has the WAL, so a failover to it
# loses no acknowledged transaction (the failover drill checks exactly that).
synchronous_standby_names = '*'
EOF
    echo "host replication all 127.0.0.1/32 trust" >> "$DIR/pg-primary/pg_hba.conf"
  fi
  if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p $PG_PRIMARY -q; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-primary" -l "$DIR/pg-primary/server.log" -w start >/dev/null
    # Local commit: the standby that would acknowledge it may not be up yet.
    PGOPTIONS="-c synchronous_commit=local" as_pg "$PGBIN/psql" -h 127.0.0.1 -p $PG_PRIMARY -U postgres -qc "CREATE DATABASE test" 2>/dev/null || true
  fi
  if [ ! -f "$DIR/pg-standby/PG_VERSION" ]; then
    mkdir -p "$DIR/pg-standby"
    own postgres:postgres "$DIR/pg-standby"
    chmod 700 "$DIR/pg-standby"
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PG_PRIMARY -U postgres -D "$DIR/pg-standby" -R -X stream --checkpoint=fast >/dev/null
    sed -i "s/^port = $PG_PRIMARY/port = $PG_STANDBY/" "$DIR/pg-standby/postgresql.conf"
    # Promoted, the standby is a primary with no standby of its own: its commits must not wait for one.
    echo "synchronous_standby_names = ''" >> "$DIR/pg-standby/postgresql.conf"
  fi
  if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p $PG_STANDBY -q; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-standby" -l "$DIR/pg-standby/server.log" -w start >/dev/null
  fi
}

pg_down() {
  for d in pg-standby pg-primary; do
    [ -f "$DIR/$d/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
}

galera_cnf() {
  local i=$1
  cat > "$DIR/galera$i.cnf" <<EOF
[mariadbd]
datadir=$DIR/galera$i
port=${GALERA_PORTS[$i]}
bind-address=127.0.0.1
socket=$DIR/galera$i/mysqld.sock
pid-file=$DIR/galera$i/mysqld.pid
log-error=$DIR/galera$i/error.log
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_flush_log_at_trx_commit=0
innodb_buffer_pool_size=64M
skip-name-resolve
wsrep_on=ON
wsrep_provider=$GALERA_LIB
wsrep_cluster_name=athanor
wsrep_cluster_address=gcomm://127.0.0.1:${GALERA_GROUP[0]},127.0.0.1:${GALERA_GROUP[1]},127.0.0.1:${GALERA_GROUP[2]}
wsrep_node_address=127.0.0.1
wsrep_provider_options="base_port=${GALERA_GROUP[$i]};ist.recv_addr=127.0.0.1:$((GALERA_GROUP[$i] + 1));gcache.size=32M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((GALERA_GROUP[$i] + 2))
EOF
}

galera_ping() { mysqladmin -h 127.0.0.1 -P "${GALERA_PORTS[$1]}" -uroot ping >/dev/null 2>&1; }

galera_up() {
  [ -n "$GALERA_LIB" ] || missing "no Galera library (install Debian's galera-4)"
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing "no mariadbd"
  command -v rsync >/dev/null 2>&1 || missing "no rsync (Galera's state transfer uses it)"
  mkdir -p "$DIR"
  for i in 0 1 2; do
    galera_cnf $i
    if [ ! -d "$DIR/galera$i/mysql" ]; then
      mkdir -p "$DIR/galera$i"
      own mysql:mysql "$DIR/galera$i"
      as_my mariadb-install-db --no-defaults --datadir="$DIR/galera$i" --auth-root-authentication-method=normal >/dev/null 2>&1
    fi
  done
  local any=0
  for i in 0 1 2; do galera_ping $i && any=1; done
  for i in 0 1 2; do
    galera_ping $i && continue
    local extra=()
    # The first node to start, with none running, makes a new cluster; the others join it.
    if [ $any = 0 ]; then extra=(--wsrep-new-cluster); any=1; fi
    if [ "$(id -u)" = 0 ]; then extra+=(--user=mysql); fi
    /usr/sbin/mariadbd --defaults-file="$DIR/galera$i.cnf" "${extra[@]}" >/dev/null 2>&1 &
    for _ in $(seq 1 60); do galera_ping $i && break; sleep 0.5; done
    galera_ping $i || { echo "[cluster] galera node $i did not start; see $DIR/galera$i/error.log" >&2; exit 1; }
    mysql -h 127.0.0.1 -P "${GALERA_PORTS[$i]}" -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null || true
  done
  for _ in $(seq 1 60); do
    [ "$(mysql -h 127.0.0.1 -P "${GALERA_PORTS[0]}" -uroot -Nse "SHOW STATUS LIKE 'wsrep_cluster_size'" | awk '{print $2}')" = 3 ] && return 0
    sleep 0.5
  done
  echo "[cluster] the Galera cluster did not reach 3 nodes; see $DIR/galera*/error.log" >&2
  exit 1
}

galera_down() {
  for i in 2 1 0; do
    if [ -f "$DIR/galera$i/mysqld.pid" ]; then
      kill "$(cat "$DIR/galera$i/mysqld.pid")" 2>/dev/null || true
      for _ in $(seq 1 80); do [ -f "$DIR/galera$i/mysqld.pid" ] || break; sleep 0.25; done
    fi
  done
}

# Failover drills (test/cluster/failover-drills.test.ts): crash the primary, promote the standby,
# rebuild the pair; crash one Galera node (\`up\` restarts it and it rejoins).
pg_kill_primary() { as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-primary" -m immediate -w stop >/dev/null; }
pg_promote() { as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-standby" -w promote >/dev/null; }
pg_reset() { pg_down; rm -rf "$DIR/pg-primary" "$DIR/pg-standby"; pg_up; }
galera_kill() {
  local i=$1
  [ -f "$DIR/galera$i/mysqld.pid" ] || { echo "[cluster] galera node $i is not running" >&2; exit 1; }
  kill -9 "$(cat "$DIR/galera$i/mysqld.pid")"
  rm -f "$DIR/galera$i/mysqld.pid"
}

print_env() {
  echo "export ATHANOR_PG_PRIMARY_URL=postgres://postgres@127.0.0.1:$PG_PRIMARY/test"
  echo "export ATHANOR_PG_STANDBY_URL=postgres://postgres@127.0.0.1:$PG_STANDBY/test"
  echo "export ATHANOR_GALERA_URLS=mysql://root@127.0.0.1:${GALERA_PORTS[0]}/test,mysql://root@127.0.0.1:${GALERA_PORTS[1]}/test,mysql://root@127.0.0.1:${GALERA_PORTS[2]}/test"
}

case "${1:-}" in
  up) pg_up; galera_up; print_env ;;
  down) galera_down; pg_down; rm -rf "$DIR" ;;
  status)
    for p in $PG_PRIMARY $PG_STANDBY; do "$PGBIN/pg_isready" -h 127.0.0.1 -p $p || true; done
    for i in 0 1 2; do galera_ping $i && echo "galera node $i (port ${GALERA_PORTS[$i]}): up" || echo "galera node $i (port ${GALERA_PORTS[$i]}): down"; done ;;
  env) print_env ;;
  pg-kill-primary) pg_kill_primary ;;
  pg-promote) pg_promote ;;
  pg-reset) pg_reset ;;
  galera-kill) galera_kill "${2:?galera-kill needs a node number: 0, 1 or 2}" ;;
  running)
    for p in $PG_PRIMARY $PG_STANDBY; do "$PGBIN/pg_isready" -h 127.0.0.1 -p $p -q || exit 1; done
    for i in 0 1 2; do galera_ping $i || exit 1; done ;;
  *) echo "usage: $0 up | down | status | running | env" >&2; exit 2 ;;
esac
