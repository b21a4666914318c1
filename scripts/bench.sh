#!/usr/bin/env bash
# The benchmark (bench/README.md): builds, generates or reuses a dataset on PostgreSQL and on
# SQLite, and runs madar-bench, which starts `madar serve` on each, drives the scenarios,
# measures this machine's ceilings, prints the table and writes bench/results/<date>-<commit>.json.
#
#   scripts/bench.sh full    1,000,000 children, release build (make bench)
#   scripts/bench.sh quick   50,000 children, release build, a few minutes (make bench-quick)
#   scripts/bench.sh smoke   300 children, debug build, ~1 s per scenario, fails on any error
#                            (make bench-smoke, part of make test)
#
# Settings: BENCH_CHILDREN (dataset size), BENCH_PG (PostgreSQL server URL, without database;
# default postgres://postgres@127.0.0.1:5432), BENCH_BACKENDS ("postgres sqlite"), and any
# madar-bench option after the mode (such as --scenarios intake,case-read --duration 20).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
shift || true
CARGO=${CARGO:-cargo}
export RUST_LIB_BACKTRACE=0
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BACKENDS=${BENCH_BACKENDS:-postgres sqlite}

# The keys the dataset is sealed with and the server signs tokens with: fixed, so a dataset
# generated once can be served again. Benchmark data only; never use these anywhere else.
export MADAR_JWT_SECRET=madar-bench-jwt-secret-0123456789abcdef
export MADAR_AUDIT_KEY=madar-bench-audit-key-0123456789abcdef
export MADAR_DATA_KEY=bWFkYXItYmVuY2gtZGF0YS1rZXktMzItYnl0ZXMhISE=

case "$mode" in
  full)  children=${BENCH_CHILDREN:-1000000}; profile=release
         run=(--duration 10 --mixed-duration 60 --ceiling-seconds 10) ;;
  quick) children=${BENCH_CHILDREN:-50000}; profile=release
         run=(--duration 5 --mixed-duration 20 --ceiling-seconds 5) ;;
  smoke) children=${BENCH_CHILDREN:-300}; profile=debug
         run=(--duration 1 --mixed-duration 1 --ceiling-seconds 1 --sample 2000 --assert-zero-errors) ;;
  *) echo "usage: scripts/bench.sh full|quick|smoke [madar-bench options]" >&2; exit 2 ;;
esac

if [ "$profile" = release ]; then
  $CARGO build --release -p madar-api -p madar-bench
  madar=target/release/madar; bench=target/release/madar-bench
else
  # The smoke run uses the debug server (already built by `make test`: a no-op there).
  $CARGO build -p madar-api
  $CARGO build -p madar-bench
  madar=target/debug/madar; bench=target/debug/madar-bench
fi

# A dataset is reused while its size and the generator (its code and the migrations) are the
# same. The benchmark's intake adds reports to it: a few minutes of writes, noise next to N.
generator=$(cat api/src/generate/*.rs migrations/*/*/up.sql 2>/dev/null | sha256sum | cut -c1-12)
stamp="$children children, generator $generator"
mkdir -p bench/data
args=()
for backend in $BACKENDS; do
  data_dir=bench/data/$backend-$children
  if [ "$backend" = postgres ]; then
    db=madar_bench_$children
    [ "$mode" = smoke ] && db=madar_bench_smoke
    url=$PG/$db
    exists=$(psql "$PG/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")
    args+=(--postgres "$url")
  else
    url=sqlite://$data_dir/madar.db
    exists=$([ -f "$data_dir/madar.db" ] && echo 1 || true)
    args+=(--sqlite "$data_dir/madar.db")
  fi
  if [ "$mode" != smoke ] && [ "$exists" = 1 ] && [ "$(cat "$data_dir.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$backend: reusing the dataset of $stamp"
    continue
  fi
  echo "$backend: generating $children children"
  rm -rf "$data_dir" "$data_dir.stamp"
  mkdir -p "$data_dir"
  if [ "$backend" = postgres ]; then
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  fi
  started=$(date +%s)
  DATABASE_URL=$url MADAR_DATA_DIR=$data_dir $madar generate --children "$children" --seed 1
  echo "$backend: generated in $(( $(date +%s) - started )) s"
  echo "$stamp" > "$data_dir.stamp"
done

out=()
[ "$mode" = smoke ] && out=(--out bench/data/smoke.json)
"$bench" --madar "$madar" "${args[@]}" --dataset "$children children" --work bench/data/work \
  "${run[@]}" "${out[@]}" "$@"
