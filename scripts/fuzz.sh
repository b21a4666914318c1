#!/usr/bin/env bash
# Fuzzes the served API against its own OpenAPI document with schemathesis (PyPI), once per
# role, on a fresh demo database: server errors, response schemas, status codes and content
# types must all conform. `smoke` is the bounded run of `make test`; `long` is `make fuzz`.
#
#   scripts/fuzz.sh smoke|long [sqlite|postgres]
#
# Left out: the operations that end the run's own access (logout, deleting users and clients,
# which could be the caller itself) and, for a stable run, logins (rate-limited, and locking
# the demo accounts). Each role's phase mints a fresh token.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-smoke}"
backend="${2:-sqlite}"
case "$mode" in
  smoke) examples=8; phases="examples,coverage,fuzzing"; max_time=25 ;;
  long) examples=200; phases="examples,coverage,fuzzing,stateful"; max_time=1200 ;;
  *) echo "usage: $0 smoke|long [sqlite|postgres]" >&2; exit 2 ;;
esac

venv=target/fuzz-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi

cargo build -q -p madar-api
madar=target/debug/madar
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
pg_db="madar_fuzz_$$"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ "$backend" = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $pg_db" postgres >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$backend" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $pg_db" postgres >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$pg_db"
else
  export DATABASE_URL="sqlite://$work/madar.db"
fi
export MADAR_DATA_DIR="$work" MADAR_BIND="127.0.0.1:$port" MADAR_LOG=warn \
  MADAR_LOGIN_RATE=1000/1m MADAR_WEBHOOK_ALLOW_PRIVATE=1
"$madar" migrate >/dev/null
"$madar" seed --demo >/dev/null
"$madar" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$base/api/v1/openapi.json" -o "$work/openapi.json" && break
  sleep 0.2
done

token() {
  curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1@demo.madar.ma\",\"password\":\"madar-demo-2026\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# One worker: with two, schemathesis's threads parse Python ASTs at once and CPython 3.11
# (Debian's) can fail with "AST constructor recursion depth mismatch" (cpython gh-106905), a
# runtime error of the tool, not a finding on Madar.
failed=0
for role in coordinator caseworker partner hotline admin analyst auditor; do
  echo "== schemathesis ($backend, $mode) as $role"
  if ! "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $(token "$role")" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-operation-id delete_session --exclude-operation-id create_session \
    --exclude-operation-id refresh_session --exclude-operation-id create_token \
    --exclude-method DELETE --exclude-path-regex '/events' \
    --phases "$phases" --max-examples "$examples" --max-time "$max_time" \
    --workers 1 --request-timeout 20 --suppress-health-check all --no-color; then
    failed=1
  fi
done
if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the run:" >&2
  tail -50 "$work/server.log" >&2
  exit 1
fi
exit "$failed"
