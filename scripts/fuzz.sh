#!/usr/bin/env bash
# Fuzzes the served API against its own OpenAPI document with schemathesis (PyPI), once per
# role, on a fresh demo database: server errors, response schemas, status codes and content
# types must all conform; then two coordinators of two provinces as peers for the
# object-level authorization check. `smoke` is the bounded run of `make test`; `long` is
# `make fuzz`.
#
#   scripts/fuzz.sh smoke|long [sqlite|postgres]
#
# Left out: the operations that end the run's own access (logout, deleting users and clients,
# which could be the caller itself, rotating a client's secret) and, for a stable run, logins (rate-limited, and locking
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
    --exclude-operation-id rotate_client_secret \
    --exclude-method DELETE --exclude-path-regex '/events' \
    --phases "$phases" --max-examples "$examples" --max-time "$max_time" \
    --workers 1 --request-timeout 20 --suppress-health-check all --no-color; then
    failed=1
  fi
done

# Object-level authorization (OWASP API1): two coordinators of two provinces are
# schemathesis's peers. Each files a report and screens it (a child and a case of their own);
# the check replays every successful read one makes of its own objects (ids from its creates,
# and from lists the other's copy leaves them out of) as the other, and fails when the other
# gets the object. Writes are sent too (they create the objects), never replayed.
api() { # METHOD PATH TOKEN [BODY]: the body of a 2xx answer on stdout, else fail
  curl -sf -X "$1" "$base/api/v1$2" -H "authorization: Bearer $3" \
    -H 'content-type: application/json' -H "idempotency-key: $(cat /proc/sys/kernel/random/uuid)" \
    ${4:+-d "$4"}
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
api POST /users "$(token admin)" '{"email":"coordinator-sale@demo.madar.ma",
  "display_name":"Fuzz peer coordinator (Salé)","password":"madar-demo-2026",
  "role":"coordinator","organization":"cape-sale","territory":"441"}' >/dev/null
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo '{"auth": [' >"$work/peers.json"
for peer in coordinator:421 coordinator-sale:441; do
  name=${peer%%:*} territory=${peer##*:} bearer=$(token "${peer%%:*}")
  report=$(api POST /reports "$bearer" "{\"source\":\"walk_in\",\"received_at\":\"$now\",
    \"reporter\":{\"type\":\"neighbour\"},\"concerns\":[\"physical_violence\"],\"immediate_danger\":false,
    \"children\":[{\"given_name_latin\":\"Peer\",\"family_name_latin\":\"$name\",\"sex\":\"female\",
    \"estimated_birth_year\":2015,\"territory\":\"$territory\"}]}" | field '["id"]')
  api POST "/reports/$report/screening" "$bearer" \
    '{"decision":"accept","children":[{"index":0,"create":true,"confirm_new":true}]}' >/dev/null
  [ "$name" = coordinator ] || echo , >>"$work/peers.json"
  printf '{"name": "%s", "fixedHeaders": [{"name": "Authorization", "value": "Bearer %s"}]}\n' \
    "$name" "$bearer" >>"$work/peers.json"
done
echo ']}' >>"$work/peers.json"
cat >"$work/schemathesis.toml" <<TOML
[auth.wfc]
path = "$work/peers.json"
peers = ["coordinator", "coordinator-sale"]
TOML
echo "== schemathesis ($backend, $mode): object-level authorization, two coordinators as peers"
if ! "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
  --checks object_level_authorization,not_a_server_error \
  --exclude-method DELETE --exclude-path-regex '/events|/auth/|/keys|/secret-rotation' \
  --phases examples,coverage,fuzzing,stateful --max-examples "$examples" --max-time "$max_time" \
  --workers 1 --request-timeout 20 --suppress-health-check all --no-color; then
  failed=1
fi

if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the run:" >&2
  tail -50 "$work/server.log" >&2
  exit 1
fi
exit "$failed"
