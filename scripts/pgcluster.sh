#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, benchmarks and `make run-postgres`:
# a data directory in a temporary folder, a Unix socket beside it and a TCP
# port on 127.0.0.1, trust authentication for the role "replydesk", and the
# server running as an unprivileged user (initdb refuses root: as root it runs
# as the "postgres" user Debian's package creates, or a "replydesk-pg" user
# made for it).
#
#   scripts/pgcluster.sh start DIR [fast]  starts a cluster in DIR (created when
#                                          missing) and prints its URL; "fast"
#                                          turns fsync off (tests only)
#   scripts/pgcluster.sh stop DIR          stops it and removes DIR
#   scripts/pgcluster.sh bin               prints the server's bin directory
#                                          (exit 1 when none is installed)
set -euo pipefail

bindir() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

# as runs a command as the unprivileged owner of the cluster.
as() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  runuser -u "$PGUSER_OS" -- "$@"
}

owner() {
  if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
  if id postgres >/dev/null 2>&1; then echo postgres; return; fi
  id replydesk-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin replydesk-pg
  echo replydesk-pg
}

# free_port picks a port nothing listens on, from 6000–9999: below the
# kernel's range for outgoing connections (32768 and up), where a port that
# is free to connect to may still be some connection's local end, and below
# the range the Go tests take theirs from (internal/testport, 10000 and up).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((6000 + RANDOM % 4000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2
  return 1
}

cmd=${1:-}
case "$cmd" in
bin)
  bindir
  ;;
start)
  dir=${2:?usage: pgcluster.sh start DIR [fast]}
  bin=$(bindir) || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
  PGUSER_OS=$(owner)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS" "$dir"
  chmod 700 "$dir"
  as "$bin/initdb" -D "$dir/data" -U replydesk -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # A port can still be taken between the check and the server's bind:
  # then another one, a few times.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB"
    if [ "${3:-}" = fast ]; then
      opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    : >"$dir/server.log"
    [ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS" "$dir/server.log"
    if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null; then
      break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "could not create any TCP/IP sockets" "$dir/server.log"; then
      cat "$dir/server.log" >&2
      exit 1
    fi
  done
  echo "postgres://replydesk@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  dir=${2:?usage: pgcluster.sh stop DIR}
  [ -d "$dir/data" ] || exit 0
  bin=$(bindir)
  PGUSER_OS=$(stat -c %U "$dir")
  as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  sed -n '2,15p' "$0" >&2
  exit 2
  ;;
esac
