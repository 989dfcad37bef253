#!/usr/bin/env bash
# Benchmark sipaudit against tshark on the generator's ~1M-packet capture,
# in one run on the same machine, and print the ratio and peak memory of
# each. The capture is generated (not committed) into $BENCH_DIR.
#
#   scripts/bench.sh                 # ~1M packets (--calls 63400), ~610 MB
#
# sipaudit_analyze is the whole analysis (capture, SIP scanning, the
# malformed check, transactions, dialogs, registrations, every auth
# exchange replayed through the reference, every rule) with the text
# summary and no database; sipaudit_analyze_db the same, stored in SQLite;
# sipaudit_analyze_creds_json adds the subscribers' passwords (from the
# generator's truth file) and the JSON report.
#   CALLS=6340 scripts/bench.sh      # ~100k packets, quicker
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${CALLS:-63400}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/sipaudit-bench}
SHARED=${SHARED:-../shared}
mkdir -p "$BENCH_DIR"
pcap="$BENCH_DIR/gen-$CALLS-$SEED.pcap"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench.sh: $1 is required" >&2; exit 1; }; }
need go; need python3; need tshark
[ -x /usr/bin/time ] || { echo "bench.sh: GNU time (/usr/bin/time, Debian package 'time') is required" >&2; exit 1; }

truth="$BENCH_DIR/gen-$CALLS-$SEED.truth.json"
creds="$BENCH_DIR/gen-$CALLS-$SEED.creds.csv"
if [ ! -s "$pcap" ] || [ ! -s "$truth" ]; then
  echo "generating $pcap (--calls $CALLS --seed $SEED)..." >&2
  python3 "$SHARED/bench/gen_sip_pcap.py" --calls "$CALLS" --seed "$SEED" -o "$pcap" --truth "$truth" -q
fi
# The subscribers' passwords, so that every digest is judged.
python3 - "$truth" "$creds" <<'PY'
import csv, json, sys
users = json.load(open(sys.argv[1]))["users"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["username", "realm", "password"])
    for u in users:
        w.writerow([u["username"], u["realm"], u["password"]])
PY
go build -o "$BENCH_DIR/sipaudit" ./cmd/sipaudit
go test -c -o "$BENCH_DIR/capture.test" ./capture
packets=$(capinfos -c -M "$pcap" | awk -F': *' '/Number of packets/ {print $2}')
cat "$pcap" >/dev/null # warm the page cache for every contender alike

# measure NAME CMD... : wall seconds and peak RSS (MB) of one run
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.$name" "$@" >/dev/null 2>"$BENCH_DIR/err.$name" || {
    echo "bench.sh: $name failed:" >&2; cat "$BENCH_DIR/err.$name" >&2; exit 1; }
  read -r secs kb <"$BENCH_DIR/time.$name"
  printf '%-34s %8.2f s %12.0f packets/s %8.0f MB peak\n' "$name" "$secs" "$(echo "$packets / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
  eval "secs_$name=$secs"
}

echo "capture: $pcap ($packets packets, $(du -Lm "$pcap" | cut -f1) MB), $(nproc) cores"
measure capture_path env SIPAUDIT_BENCH_PCAP="$pcap" "$BENCH_DIR/capture.test" -test.run '^$' -test.bench CapturePath -test.benchtime 1x
measure sipaudit_analyze "$BENCH_DIR/sipaudit" analyze --progress never --db "" "$pcap"
measure sipaudit_analyze_creds_json "$BENCH_DIR/sipaudit" analyze --progress never --db "" --creds "$creds" --format json "$pcap"
rm -f "$BENCH_DIR/bench.db" "$BENCH_DIR/bench.db-wal" "$BENCH_DIR/bench.db-shm"
measure sipaudit_analyze_db "$BENCH_DIR/sipaudit" analyze --progress never --db "$BENCH_DIR/bench.db" "$pcap"
rm -f "$BENCH_DIR/bench.db" "$BENCH_DIR/bench.db-wal" "$BENCH_DIR/bench.db-shm"
measure tshark_Y_sip tshark -n -r "$pcap" -Y sip
printf 'storing the run (--db) costs %.0f%% over analysis without it (one pair: scripts/bench-store.sh gives the median of several)\n' \
  "$(echo "($secs_sipaudit_analyze_db / $secs_sipaudit_analyze - 1) * 100" | bc -l)"
printf 'ratio tshark/sipaudit analyze: %.1fx faster; tshark/capture path: %.1fx\n' \
  "$(echo "$secs_tshark_Y_sip / $secs_sipaudit_analyze" | bc -l)" \
  "$(echo "$secs_tshark_Y_sip / $secs_capture_path" | bc -l)"
