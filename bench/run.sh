#!/usr/bin/env bash
# The physioplan benchmark: generates 10,000 synthetic patients into a fresh SQLite database,
# serves them from the release binary on 127.0.0.1, signs in as a clinic lead and loads the
# main pages with wrk; prints p50 / p99 latency, requests per second and the server's peak
# memory as a Markdown table. With BENCH_DATABASE_URL=postgres://… (a fresh, empty database)
# it repeats the run on PostgreSQL.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_CLINICS (5), BENCH_THERAPISTS (8 per clinic), BENCH_PATIENTS
# (10000), BENCH_SEED (1), BENCH_DURATION (10s per page), BENCH_THREADS (2),
# BENCH_CONNECTIONS (8), BENCH_RUST_LOG (warn), BENCH_DATABASE_URL (unset: SQLite only).
# Every request goes to 127.0.0.1; every step is bounded in time; the server is stopped and
# the temporary database removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/target/release/physioplan"
CLINICS=${BENCH_CLINICS:-5}
THERAPISTS=${BENCH_THERAPISTS:-8}
PATIENTS=${BENCH_PATIENTS:-10000}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
LOGIN=lead@c1.generated.example
PASSWORD=generated-password-1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/physioplan-bench.XXXXXX")
SERVER_PID=""
ROWS=()
MEMORY=()

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# need COMMAND PACKAGE: installs a missing tool from Debian (as root), or says how to.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "$1 is missing: install it with 'sudo apt-get install -y $2'"
    log "installing $2"
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
}

# Short HTTP calls: 127.0.0.1 only, 30 s at most each.
http() { curl -sS --max-time 30 "$@"; }

# Converts a wrk latency (e.g. 812.00us, 1.27ms, 2.01s) to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else { printf "n/a" }
    }'
}

# start_server URL: serves on a free port of 127.0.0.1; sets BASE and SERVER_PID.
start_server() {
    RUST_LOG=${BENCH_RUST_LOG:-warn} "$BIN" serve --bind 127.0.0.1:0 --database-url "$1" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    BASE=""
    for _ in $(seq 1 120); do
        BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" 2>/dev/null | head -n 1 || true)
        [ -n "$BASE" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped: $(tail -n 3 "$WORK/server.err")"
        sleep 0.5
    done
    [ -n "$BASE" ] || die "the server did not start within 60 s"
    log "serving on $BASE (pid $SERVER_PID)"
}

# sign_in: the HTML login (CSRF cookie + hidden field) for SESSION, and an API TOKEN.
sign_in() {
    local jar="$WORK/cookies.txt" page csrf code
    rm -f "$jar"
    page=$(http -c "$jar" -b "$jar" "$BASE/login")
    csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
    [ -n "$csrf" ] || die "no csrf_token on GET /login"
    code=$(http -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
        --data-urlencode "email=$LOGIN" --data-urlencode "password=$PASSWORD" \
        --data-urlencode "csrf_token=$csrf" "$BASE/login")
    SESSION=$(awk '$6 == "pp_session" { print $7 }' "$jar")
    [ -n "$SESSION" ] || die "sign-in as $LOGIN failed (HTTP $code)"
    TOKEN=$(http -H 'Content-Type: application/json' \
        -d "{\"email\":\"$LOGIN\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/token" | jq -r '.token // empty')
    [ -n "$TOKEN" ] || die "POST /api/v1/auth/token failed"
}

# pick_plan: a patient of clinic 1 (first page of the list) with an active plan.
pick_plan() {
    local id plan
    PATIENT=""
    PLAN=""
    for id in $(http -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/patients" | jq -r '.items[].id'); do
        plan=$(http -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/patients/$id/plans" |
            jq -r '[.[] | select(.status == "active")][0].id // empty')
        if [ -n "$plan" ]; then
            PATIENT=$id
            PLAN=$plan
            return 0
        fi
    done
    die "no patient with an active plan on the first page of clinic 1"
}

# load BACKEND LABEL PATH [SHOWN]: one wrk run; appends a table row (SHOWN: the path as printed).
load() {
    local backend=$1 label=$2 path=$3 shown=${4:-$3} status out p50 p99 rps bad
    status=$(http -o /dev/null -w "%{http_code}" -H "Cookie: pp_session=$SESSION" "$BASE$path") || status="---"
    log "$backend $label: $path (HTTP $status), $DURATION"
    out=$(timeout 120 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s --latency \
        -H "Cookie: pp_session=$SESSION" "$BASE$path")
    p50=$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')
    rps=$(printf '%s\n' "$out" | awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
    bad=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ { print $NF }')
    ROWS+=("| $backend | $label \`$shown\` | $status | $(to_ms "$p50") | $(to_ms "$p99") | ${rps:-n/a} | ${bad:-0} |")
}

# bench BACKEND URL: generate, serve, sign in, load every page, record peak memory.
bench() {
    local backend=$1 url=$2 started generated hwm
    log "$backend: generating $PATIENTS patients ($CLINICS clinics x $THERAPISTS therapists)"
    started=$(date +%s)
    timeout 3600 "$BIN" generate --database-url "$url" --clinics "$CLINICS" --therapists "$THERAPISTS" \
        --patients "$PATIENTS" --seed "$SEED" >"$WORK/generate.out"
    generated=$(($(date +%s) - started))
    log "$(head -n 1 "$WORK/generate.out")"

    start_server "$url"
    sign_in
    pick_plan
    load "$backend" "patient list" "/patients"
    load "$backend" "patient record" "/patients/$PATIENT" "/patients/{id}"
    load "$backend" "plan page" "/plans/$PLAN" "/plans/{id}"
    load "$backend" "print page" "/plans/$PLAN/print" "/plans/{id}/print"
    load "$backend" "caseload" "/caseload"
    load "$backend" "caseload CSV" "/caseload.csv"
    hwm=$(awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    MEMORY+=("| $backend | $generated | ${hwm:-n/a} |")
    stop_server
}

need wrk wrk
need jq jq
need curl curl
log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

bench sqlite "sqlite://$WORK/bench.db"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    bench postgres "$BENCH_DATABASE_URL"
fi

echo
echo "### physioplan benchmark: $PATIENTS patients, $CLINICS clinics x $THERAPISTS therapists"
echo
echo "wrk $THREADS threads, $CONNECTIONS connections, $DURATION per page, signed in as $LOGIN;" \
    "$(nproc) CPUs, $(date -u +%Y-%m-%d)."
echo
echo "| backend | page | status | p50 ms | p99 ms | req/s | non-2xx |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "| backend | generate (s) | server peak memory, VmHWM (MiB) |"
echo "|---|---|---|"
printf '%s\n' "${MEMORY[@]}"
