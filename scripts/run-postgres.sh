#!/usr/bin/env bash
# make run-postgres: what "More than one machine" (README) sets up, on one
# machine and without containers: a PostgreSQL database, the simulated Meta
# platform on :9090, and two Replydesk processes on :8080 and :8081 sharing
# the database (a load balancer would sit in front of them). The simulator
# delivers its webhooks to :8080; log in and watch the inbox on :8081.
#
# REPLYDESK_DATABASE=postgres://… uses that database; otherwise a throwaway
# cluster is started in a temporary directory (PostgreSQL's server package
# must be installed: apt-get install postgresql). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS="${GOFLAGS:--tags=sqlite_fts5}"

db=${REPLYDESK_DATABASE:-}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${cluster:-}" ] && scripts/pgcluster.sh stop "$cluster"
}
trap cleanup EXIT INT TERM
case "$db" in
postgres://* | postgresql://*) ;;
*)
  cluster=$(mktemp -d /tmp/replydesk-run-pg-XXXXXX)
  server=$(scripts/pgcluster.sh start "$cluster")
  "$(scripts/pgcluster.sh bin)/psql" -q "$server" -c "CREATE DATABASE replydesk"
  db=${server/\/postgres\?/\/replydesk?}
  echo "--- PostgreSQL in $cluster: $db"
  ;;
esac

$GO build -trimpath -o bin/replydesk ./cmd/replydesk
secret=${REPLYDESK_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export REPLYDESK_DATABASE=$db REPLYDESK_SECRET=$secret REPLYDESK_DEMO=false \
  META_APP_ID=1000000000000042 META_APP_SECRET=run-postgres-app-secret META_VERIFY_TOKEN=run-postgres-verify \
  META_GRAPH_URL=http://127.0.0.1:9090 META_DIALOG_URL=http://127.0.0.1:9090

bin/replydesk migrate
bin/replydesk sim --addr 127.0.0.1:9090 --app-id "$META_APP_ID" --app-secret "$META_APP_SECRET" \
  --verify-token "$META_VERIFY_TOKEN" --webhook-url http://127.0.0.1:8080/webhooks/instagram \
  --traffic "${REPLYDESK_DEMO_TRAFFIC:-6}" &
pids+=($!)
for port in 8080 8081; do
  REPLYDESK_ADDR=127.0.0.1:$port REPLYDESK_BASE_URL=http://127.0.0.1:$port bin/replydesk serve 2>&1 | sed -u "s/^/[:$port] /" &
  pids+=($!)
done
echo "--- two processes, one database: http://127.0.0.1:8080 and http://127.0.0.1:8081 (Ctrl-C stops)"
wait -n "${pids[@]}"
