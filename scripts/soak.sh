#!/usr/bin/env bash
# Soak: sipaudit live (on lo) and sipaudit hep (Kamailio's siptrace
# mirror) watch the lab (lab/run.sh: Kamailio and sipp) through a steady
# call rate, and their resident memory is sampled every 5 s. Prints the
# calls, the messages each saw, the drops and the memory over time.
#
#   scripts/soak.sh                     # 120 s at 50 calls/s
#   SOAK_SECONDS=30 SOAK_RATE=20 scripts/soak.sh
#
# Needs root (capture on lo), kamailio, sipp (sip-tester), tcpdump,
# python3 and go. Every process is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

SOAK_SECONDS=${SOAK_SECONDS:-120}
SOAK_RATE=${SOAK_RATE:-50}
OUT=${OUT:-/tmp/sipaudit-soak}
SIP_PORT=${SIP_PORT:-26070} UAS_PORT=${UAS_PORT:-26080} HEP_PORT=${HEP_PORT:-29160}
HEP_SRC_PORT=${HEP_SRC_PORT:-29161} UAC_BASE_PORT=${UAC_BASE_PORT:-26090}
export SIP_PORT UAS_PORT HEP_PORT HEP_SRC_PORT UAC_BASE_PORT SOAK_SECONDS SOAK_RATE

rm -rf "$OUT" && mkdir -p "$OUT"
go build -o "$OUT/sipaudit" ./cmd/sipaudit
LIVE_PID="" HEP_PID="" SAMPLER_PID=""
stop() { # stop PID: SIGTERM, wait up to 30 s
	local pid=$1 i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
trap 'stop "$SAMPLER_PID"; stop "$LIVE_PID"; stop "$HEP_PID"' EXIT

"$OUT/sipaudit" live -i lo --bpf "udp port $SIP_PORT or udp port $UAS_PORT" --db "$OUT/live.db" \
	--creds lab/creds.csv --format json -o "$OUT/live.json" >"$OUT/live.jsonl" 2>"$OUT/live.err" &
LIVE_PID=$!
"$OUT/sipaudit" hep --listen "127.0.0.1:$HEP_PORT" --db "$OUT/hep.db" \
	--creds lab/creds.csv --format json -o "$OUT/hep.json" >"$OUT/hep.jsonl" 2>"$OUT/hep.err" &
HEP_PID=$!
for _ in $(seq 100); do
	grep -q "capturing on" "$OUT/live.err" && grep -q "receiving HEP" "$OUT/hep.err" && break
	sleep 0.1
done

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "-"; }
(
	start=$(date +%s)
	while :; do
		echo "$(($(date +%s) - start)) $(rss "$LIVE_PID") $(rss "$HEP_PID")"
		sleep 5
	done
) >"$OUT/rss.txt" &
SAMPLER_PID=$!

lab/run.sh "$OUT/lab" >"$OUT/lab.log" 2>&1 || { cat "$OUT/lab.log"; exit 1; }
sleep 1
stop "$SAMPLER_PID"; SAMPLER_PID=""
stop "$LIVE_PID"; LIVE_PID=""
stop "$HEP_PID"; HEP_PID=""

grep soak_uac "$OUT/lab/results.txt" || true
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
for name in ("live", "hep"):
    r = json.load(open(f"{out}/{name}.json"))
    inp = r["inputs"][0]
    st = r["stats"]
    print(f"{name}: {inp['packets']} packets, {r['capture']['sip_messages']} SIP messages, "
          f"{len(r['exchanges'])} auth exchanges, {len(r['findings'])} findings, "
          f"kernel drops {inp.get('kernel_dropped', 0)}, interface drops {inp.get('interface_dropped', 0)}")
rows = [l.split() for l in open(f"{out}/rss.txt") if l.strip()]
print("RSS MB (seconds live hep):", " | ".join(" ".join(r) for r in rows))
def peak(i):
    v = [float(r[i]) for r in rows if r[i] != "-"]
    return max(v) if v else 0
print(f"peak RSS: live {peak(1):.1f} MB, hep {peak(2):.1f} MB")
PY
grep -h "dropped" "$OUT/live.err" "$OUT/hep.err" || true
