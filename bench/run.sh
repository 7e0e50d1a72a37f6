#!/usr/bin/env bash
# The physioplan benchmark. For each size (1,000 and 50,000 patients, all in one clinic) it
# generates synthetic patients into a fresh database, serves them from the release binary on
# 127.0.0.1 pinned to CPU 0, signs in as the clinic lead and loads the plan page, the print
# page, the caseload and a patient search with wrk pinned to CPU 1; prints p50 / p95 / p99
# latency, requests per second, the server's peak memory and the generation time, and the
# caseload's and search's cost at the largest size against the smallest. When ../shared/bench
# exists beside the checkout, it then runs its side-by-side script (the bare actix-web + maud +
# diesel page and Django on the same core) for the ratios.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_SIZES ("1000 50000"), BENCH_CLINICS (1), BENCH_THERAPISTS (8 per
# clinic), BENCH_SEED (1), BENCH_DURATION (8s per page), BENCH_CONNECTIONS (32; the caseload
# and search use BENCH_LIST_CONNECTIONS, 4, as the side-by-side script does for the caseload,
# and once more with one connection: one user's wait on an idle server),
# BENCH_RUST_LOG (warn), BENCH_DATABASE_URL (unset: SQLite only; a PostgreSQL server URL
# whose user may create databases: each size gets a fresh database `physioplan_bench_N`),
# BENCH_BACKENDS ("sqlite", plus "postgres" with BENCH_DATABASE_URL; "postgres" alone skips
# SQLite), BENCH_SIDE_BY_SIDE (1; 0 skips the reference servers), BENCH_DB_DIR (unset: the
# SQLite databases are temporary; a directory keeps them there and reuses one that exists for
# the same size, clinics, therapists and seed instead of generating it again).
# Every request goes to 127.0.0.1; every step is bounded in time; the server is stopped and
# the temporary databases removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/target/release/physioplan"
SIZES=${BENCH_SIZES:-1000 50000}
CLINICS=${BENCH_CLINICS:-1}
THERAPISTS=${BENCH_THERAPISTS:-8}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-8s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LIST_CONNECTIONS=${BENCH_LIST_CONNECTIONS:-4}
SHARED_BENCH="$ROOT/../shared/bench"
LOGIN=lead@c1.generated.example
PASSWORD=generated-password-1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/physioplan-bench.XXXXXX")
[ -n "${BENCH_DB_DIR:-}" ] && mkdir -p "$BENCH_DB_DIR"
SERVER_PID=""
ROWS=()
MEMORY=()
declare -A P95

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
DROP_DATABASES=()
cleanup() {
    stop_server
    for db in "${DROP_DATABASES[@]}"; do psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
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
    RUST_LOG=${BENCH_RUST_LOG:-warn} taskset -c 0 "$BIN" serve --bind 127.0.0.1:0 --database-url "$1" \
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
            # A substring from inside the family name: the trigram index, not a prefix scan.
            TERM=$(http -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/patients/$id" | jq -r '.family_name[1:5]')
            return 0
        fi
    done
    die "no patient with an active plan on the first page of clinic 1"
}

# load BACKEND SIZE LABEL PATH [SHOWN] [CONNS]: one wrk run; appends a table row (SHOWN: the
# path as printed) and keeps the p95 by backend, page and size.
load() {
    local backend=$1 size=$2 label=$3 path=$4 shown=${5:-$4} conns=${6:-$CONNECTIONS} status out p50 p95 p99 rps bad
    status=$(http -o /dev/null -w "%{http_code}" -H "Cookie: pp_session=$SESSION" "$BASE$path") || status="---"
    log "$backend $size $label: $path (HTTP $status), $DURATION"
    out=$(timeout 120 taskset -c 1 wrk -t1 -c "$conns" -d "$DURATION" --timeout 10s --latency \
        -s "$ROOT/bench/p95.lua" -H "Cookie: pp_session=$SESSION" "$BASE$path")
    p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')")
    p95=$(printf '%s\n' "$out" | awk '$1 == "p95_us" { printf "%.2f", $2 / 1000 }')
    p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')")
    rps=$(printf '%s\n' "$out" | awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
    bad=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ { print $NF }')
    P95["$backend $label $size"]=$p95
    ROWS+=("| $backend | $size | $label \`$shown\` | $conns | $status | $p50 | $p95 | $p99 | ${rps:-n/a} | ${bad:-0} |")
}

# sqlite_file SIZE: where a size's SQLite database is written (kept in BENCH_DB_DIR when set).
sqlite_file() {
    echo "${BENCH_DB_DIR:-$WORK}/bench-$1-c$CLINICS-t$THERAPISTS-s$SEED.db"
}

# database BACKEND SIZE: a fresh database URL for one run.
database() {
    if [ "$1" = sqlite ]; then
        echo "sqlite://$(sqlite_file "$2")"
    else
        local name="physioplan_bench_$2"
        psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
        DROP_DATABASES+=("$name")
        echo "${BENCH_DATABASE_URL%/*}/$name"
    fi
}

# bench BACKEND SIZE: generate, serve, sign in, load every page, record peak memory.
bench() {
    local backend=$1 size=$2 url started generated plan_hwm hwm
    if [ "$backend" = sqlite ] && [ -n "${BENCH_DB_DIR:-}" ] && [ -f "$(sqlite_file "$size")" ]; then
        url="sqlite://$(sqlite_file "$size")"
        generated="reused"
        log "$backend: reusing $(sqlite_file "$size")"
    else
        url=$(database "$backend" "$size")
        log "$backend: generating $size patients ($CLINICS clinics x $THERAPISTS therapists)"
        started=$(date +%s.%N)
        timeout 3600 "$BIN" generate --database-url "$url" --clinics "$CLINICS" --therapists "$THERAPISTS" \
            --patients "$size" --seed "$SEED" >"$WORK/generate.out"
        generated=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        log "$(head -n 1 "$WORK/generate.out")"
    fi

    start_server "$url"
    sign_in
    pick_plan
    load "$backend" "$size" "plan page" "/plans/$PLAN" "/plans/{id}"
    plan_hwm=$(awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    load "$backend" "$size" "print page" "/plans/$PLAN/print" "/plans/{id}/print"
    load "$backend" "$size" "caseload" "/caseload" "/caseload" "$LIST_CONNECTIONS"
    load "$backend" "$size" "caseload, one user" "/caseload" "/caseload" 1
    load "$backend" "$size" "search" "/patients?q=$TERM" "/patients?q=…" "$LIST_CONNECTIONS"
    load "$backend" "$size" "search, one user" "/patients?q=$TERM" "/patients?q=…" 1
    load "$backend" "$size" "patient record" "/patients/$PATIENT" "/patients/{id}"
    hwm=$(awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
    MEMORY+=("| $backend | $size | $generated | ${plan_hwm:-n/a} | ${hwm:-n/a} |")
    stop_server
    [ "$backend" = sqlite ] && [ -z "${BENCH_DB_DIR:-}" ] && rm -f "$(sqlite_file "$size")"*
    return 0
}

need wrk wrk
need jq jq
need curl curl
need taskset util-linux
log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

read -r -a BACKENDS <<<"${BENCH_BACKENDS:-sqlite${BENCH_DATABASE_URL:+ postgres}}"
[ -n "${BENCH_DATABASE_URL:-}" ] && need psql postgresql-client
for backend in "${BACKENDS[@]}"; do
    for size in $SIZES; do bench "$backend" "$size"; done
done

SMALL=$(printf '%s\n' $SIZES | sort -n | head -n 1)
LARGE=$(printf '%s\n' $SIZES | sort -n | tail -n 1)
echo
echo "### physioplan benchmark: $SIZES patients, $CLINICS clinic(s) x $THERAPISTS therapists"
echo
echo "Server pinned to CPU 0, \`wrk -t1 -d$DURATION\` pinned to CPU 1, signed in as" \
    "$LOGIN; $(nproc) CPUs, $(date -u +%Y-%m-%d)."
echo
echo "| backend | patients | page | connections | status | p50 ms | p95 ms | p99 ms | req/s | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "| backend | patients | generate (s) | peak memory after the plan page, VmHWM (MiB) | after every page (MiB) |"
echo "|---|---|---|---|---|"
printf '%s\n' "${MEMORY[@]}"
echo
for backend in "${BACKENDS[@]}"; do
    for page in caseload "caseload, one user" search "search, one user"; do
        awk -v b="$backend" -v p="$page" -v s="$SMALL" -v l="$LARGE" \
            -v small="${P95["$backend $page $SMALL"]:-0}" -v large="${P95["$backend $page $LARGE"]:-0}" \
            'BEGIN { if (small > 0) printf "%s %s: p95 %.2f ms at %s, %.2f ms at %s: %.2fx\n", b, p, small, s, large, l, large / small }'
    done
done

if [ "${BENCH_SIDE_BY_SIDE:-1}" = 1 ] && [ -f "$SHARED_BENCH/side-by-side.sh" ]; then
    echo
    echo "### side by side (../shared/bench/side-by-side.sh)"
    echo
    (cd "$ROOT" && PP="$BIN" bash "$SHARED_BENCH/side-by-side.sh")
fi
