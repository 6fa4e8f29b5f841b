#!/usr/bin/env bash
# make test: every test on SQLite, and at the same time every test that
# touches storage on PostgreSQL, when there is one: REPLYDESK_TEST_POSTGRES
# (a server URL whose user may create databases), or else a throwaway cluster
# started here from the PostgreSQL server binaries when they are installed
# (scripts/pgcluster.sh). Each line of output names its database.
#   scripts/test.sh [go test flags...]   (default: -race -count=1 -timeout 12m)
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS="${GOFLAGS:--tags=sqlite_fts5}" # the Makefile's build tags, when run by hand
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(-race -count=1 -timeout 12m)

pg=${REPLYDESK_TEST_POSTGRES:-}
cluster=""
if [ -z "$pg" ] && scripts/pgcluster.sh bin >/dev/null 2>&1; then
  cluster=$(mktemp -d /tmp/replydesk-pg-XXXXXX)
  if pg=$(scripts/pgcluster.sh start "$cluster" fast); then
    trap 'scripts/pgcluster.sh stop "$cluster"' EXIT
  elif [ "${CI:-}" = true ]; then
    # CI (.ci/run) installed PostgreSQL to test both: not testing it is a failure.
    echo "--- could not start a PostgreSQL cluster (CI=true: both databases must be tested)" >&2
    exit 1
  else
    echo "--- could not start a PostgreSQL cluster: testing SQLite only" >&2
    pg=""
  fi
fi

# The packages whose tests touch storage: those whose test binary imports
# the store. They all run fully on PostgreSQL, but for the browser and
# real-binary tests (web/e2e), where PostgreSQL runs those that exercise
# what differs between the databases (PG_E2E), the others on SQLite only:
# the whole of web/e2e twice would take the suite past 10 minutes on 2 cores.
e2e=github.com/replydesk/replydesk/web/e2e
pg_pkgs() {
  $GO list -test -f '{{if .ForTest}}{{.ForTest}} {{join .Deps " "}}{{end}}' ./... |
    awk '{for (i = 2; i <= NF; i++) if ($i == "github.com/replydesk/replydesk/internal/store") { print $1; break }}' |
    sort -u | grep -vx "$e2e"
}
# The end-to-end tests run on PostgreSQL too (README, "Tests on both
# databases", says why these): several processes on one database; ingest
# and its durability; the change feed live and caught up, in a browser;
# claims (replies after a crash, outbound deliveries, the purge's lease);
# counts and status; the rules' arrivals; presence and auto-assignment;
# the SQL log without secrets.
PG_E2E='^(TestProcesses_.*|TestEvents_streamAndCatchUp|TestAPI_commentsStatusAndReply|TestCrash_.*|TestShutdown_webhooksInFlightGet200|TestBrowser_inboxLiveAndEscaped|TestOutboundWebhooks_.*|TestDisconnect_.*|TestRules_sendAnswersOnceWithinSeconds|TestBrowser_assignmentAndPresenceLive|TestBrowser_autoAssignAndWorkload|TestLogs_noSecrets)$'

label() { sed -u "s/^/[$1] /"; }

# PostgreSQL's end-to-end subset runs without the race detector: SQLite's
# run race-checks the same binary's code (PostgreSQL's own code is
# race-checked by its package tests above). Alone on 2 cores the subset
# took 127 core-seconds and 103 s with it, 91 and 83 s without.
e2e_flags=()
for f in "${flags[@]}"; do [ "$f" = "-race" ] || e2e_flags+=("$f"); done

if [ -z "$pg" ]; then
  echo "--- PostgreSQL not found (install postgresql, or set REPLYDESK_TEST_POSTGRES): testing SQLite only"
  env -u REPLYDESK_TEST_POSTGRES $GO test "${flags[@]}" ./...
  exit $?
fi

echo "--- testing on SQLite and on PostgreSQL at once"
logs=$(mktemp -d)
( env -u REPLYDESK_TEST_POSTGRES $GO test "${flags[@]}" ./... 2>&1 | tee "$logs/sqlite" | label sqlite ) &
lite=$!
# shellcheck disable=SC2046
( export REPLYDESK_TEST_POSTGRES="$pg"
  # shellcheck disable=SC2046
  $GO test "${flags[@]}" $(pg_pkgs) 2>&1 | tee "$logs/postgres" | label postgres
  rc=${PIPESTATUS[0]}
  $GO test "${e2e_flags[@]}" -run "$PG_E2E" "$e2e" 2>&1 | tee "$logs/postgres-e2e" | label postgres
  rc_e2e=${PIPESTATUS[0]} # read at once: any command, a test too, resets PIPESTATUS
  [ "$rc" -eq 0 ] && [ "$rc_e2e" -eq 0 ] ) &
post=$!
wait $lite
lite_rc=$?
wait $post
post_rc=$?
echo "--- SQLite: $([ $lite_rc -eq 0 ] && echo ok || echo FAILED)   PostgreSQL: $([ $post_rc -eq 0 ] && echo ok || echo FAILED)"
passed=$(cat "$logs"/* | grep -c '^ok ')
failed=$(cat "$logs"/* | grep -c '^FAIL\s')
# What failed, again at the end, where a reader of the last lines (a CI
# log's tail) finds it: the app's log above a failure can run to pages.
for f in "$logs"/*; do
  grep -E -e '^\s*--- FAIL' -e '^panic: ' -e '^\s+\S+_test\.go:[0-9]+: ' "$f" | head -40 | sed "s/^/[$(basename "$f")] /"
done
rm -rf "$logs"
echo "packages: $passed passed, $failed failed"
[ $lite_rc -eq 0 ] && [ $post_rc -eq 0 ]
