#!/usr/bin/env bash
# CI: the API against the tools integrators use. Starts the debug server on a scratch SQLite
# database with the demo data, then
#   1. validates the OpenAPI document (openapi-spec-validator, zero errors),
#   2. fuzzes every operation with schemathesis (no 5xx, every status code, content type and
#      body as documented), bounded in examples and wall-clock time,
#   3. exports every demo plan as FHIR (collection and transaction bundles) and validates each
#      with fhir.resources (R4B) plus the checks a FHIR server makes on import.
# Fails on any failure; the server is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Pinned: a new release of a checker must not fail (or pass) CI on its own.
OPENAPI_SPEC_VALIDATOR=0.9.0
SCHEMATHESIS=4.32.5
FHIR_RESOURCES=8.3.0
FUZZ_SECONDS=${FUZZ_SECONDS:-150}
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-25}

venv=${API_FUZZ_VENV:-target/api-fuzz-venv}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "python tools (openapi-spec-validator $OPENAPI_SPEC_VALIDATOR, schemathesis $SCHEMATHESIS, fhir.resources $FHIR_RESOURCES)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check \
  "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR" "schemathesis==$SCHEMATHESIS" "fhir.resources==$FHIR_RESOURCES"

step "server on a scratch database"
cargo build --locked
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
./target/debug/physioplan --database-url "sqlite://$work/fuzz.db" serve --demo --bind "127.0.0.1:$port" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 1
done
[ -s "$work/openapi.json" ] || { echo "the server did not answer" >&2; exit 1; }
password=$(sed -n 's/^Demo logins (password for all: \(.*\)):$/\1/p' "$work/server.out")
# A bearer token for the first demo user with this role.
token_for() {
  local email
  email=$(awk -v role="$1" '$2 == role { print $1; exit }' "$work/server.out")
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/auth/token" |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
token=$(token_for lead)
admin_token=$(token_for admin)

step "OpenAPI document is valid"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

step "FHIR exports validate (every demo plan, both bundle types)"
"$venv/bin/python" .ci/fhir_check.py "$base" "$admin_token"

step "schemathesis (at most $FUZZ_EXAMPLES examples an operation, $FUZZ_SECONDS s)"
"$venv/bin/st" run "$base/api/v1/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  -H "Authorization: Bearer $token" \
  --max-examples "$FUZZ_EXAMPLES" --max-time "$FUZZ_SECONDS" --seed 1 \
  --workers 2 --request-timeout 20 --generation-database none --no-color \
  --report junit --report-dir "$work/report" ||
  { echo "schemathesis found failures (server log: last lines)" >&2; tail -n 20 "$work/server.err" >&2; exit 1; }

step "API fuzz passed"
