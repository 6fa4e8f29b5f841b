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

out=$(mktemp -d /tmp/replydesk-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT

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
  run SQLite 'TestIngestBenchmark|TestFanoutBenchmark|TestIngestRulesBenchmark|TestRulesBurstBenchmark'" | tee "$out/sqlite"
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
  trap 'scripts/pgcluster.sh stop "$dir"; rm -rf "$out"' EXIT
fi
REPLYDESK_TEST_POSTGRES=$pg bash -c "$(declare -f quiet run); GO=$GO; set -o pipefail; \
  run PostgreSQL 'TestIngestBenchmark|TestFanoutBenchmark'" | tee "$out/postgres"

# The figures side by side: ingest (deliveries a second, p99) and inbox reads.
echo
echo "=== SQLite and PostgreSQL side by side"
ingest() { # $1 file, $2 row label: "req/s p99"
  grep -m1 -F "$2" "$1" | sed "s|.*$2||" | awk '{ print $1 "/s", "p99 " $3 }'
}
printf '  %-44s %22s %22s\n' "webhook ingest (deliveries/s, p99)" SQLite PostgreSQL
for label in "POST /webhooks, connected account" "POST /webhooks, 2 processes, one database"; do
  lite=$(ingest "$out/sqlite" "$label"); post=$(ingest "$out/postgres" "$label")
  printf '  %-44s %22s %22s\n' "$label" "${lite:-one process only}" "${post:--}"
done
printf '  %-44s %22s %22s\n' "inbox reads at ${BENCH_ROWS:-1000000} comments (µs/op)" SQLite PostgreSQL
reads() { grep '^BenchmarkInbox/' "$1" | awk '{ sub(/-[0-9]+$/, "", $1); sub(/^BenchmarkInbox\//, "", $1); printf "%s %.0f\n", $1, $3 / 1000 }'; }
join -a1 -a2 -e - -o 0,1.2,2.2 <(reads "$out/sqlite" | sort) <(reads "$out/postgres" | sort) |
  awk '{ printf "  %-44s %22s %22s\n", $1, $2, $3 }'
