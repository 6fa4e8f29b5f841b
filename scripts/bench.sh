#!/usr/bin/env bash
# make bench: webhook ingest and live fan-out against the real binary, and
# the inbox's reads on a database of BENCH_ROWS comments (default 1,000,000),
# on SQLite, then on PostgreSQL (REPLYDESK_TEST_POSTGRES, or a throwaway
# cluster with the server's default durability when PostgreSQL is installed):
# ingest there with one process and with two sharing the database.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOFLAGS="${GOFLAGS:--tags=sqlite_fts5}" # the Makefile's build tags, when run by hand

quiet() { grep -v -e '^=== RUN' -e '^--- PASS' -e '^--- SKIP' -e '^PASS' -e '^ok ' -e '^    .*: skipped'; }

run() { # $1: database name, $2: the e2e benchmarks to run
  echo "=== $1"
  REPLYDESK_BENCH=1 $GO test -count=1 -run "$2" -v -timeout 20m ./web/e2e/ | quiet
  echo "inbox reads on a database of ${BENCH_ROWS:-1000000} comments (ns/op = one page of 50, or the counts):"
  $GO test -count=1 -run XX -bench BenchmarkInbox -benchtime 200x -timeout 30m ./internal/store/ | grep -e 'Benchmark' -e 'seeded'
}

# SQLite: ingest with and without rules, live fan-out, a Live burst against a
# send rule; PostgreSQL: ingest (one and two processes) and fan-out.
env -u REPLYDESK_TEST_POSTGRES bash -c "$(declare -f quiet run); GO=$GO; set -o pipefail; \
  run SQLite 'TestIngestBenchmark|TestFanoutBenchmark|TestIngestRulesBenchmark|TestRulesBurstBenchmark'"
echo "rule matching (no database): the first of 100 rules that matches, for each of 10,000 comments:"
$GO test -count=1 -run XX -bench BenchmarkMatch -benchtime 20x ./internal/rules/ | grep Benchmark

pg=${REPLYDESK_TEST_POSTGRES:-}
if [ -z "$pg" ]; then
  if ! scripts/pgcluster.sh bin >/dev/null 2>&1; then
    echo "=== PostgreSQL: not installed (apt-get install postgresql), skipped"
    exit 0
  fi
  dir=$(mktemp -d /tmp/replydesk-bench-pg-XXXXXX)
  pg=$(scripts/pgcluster.sh start "$dir")
  trap 'scripts/pgcluster.sh stop "$dir"' EXIT
fi
REPLYDESK_TEST_POSTGRES=$pg bash -c "$(declare -f quiet run); GO=$GO; set -o pipefail; \
  run PostgreSQL 'TestIngestBenchmark|TestFanoutBenchmark'"
