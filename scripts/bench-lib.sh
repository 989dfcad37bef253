# Shared by scripts/bench-store.sh and scripts/bench-compare.sh (sourced,
# after `set -euo pipefail` and `cd` to the repository): the capture, one
# timed run, the median.

CALLS=${CALLS:-63400}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/sipaudit-bench}
SHARED=${SHARED:-../shared}
mkdir -p "$BENCH_DIR"
pcap="$BENCH_DIR/gen-$CALLS-$SEED.pcap"
script=$(basename "$0")

command -v go >/dev/null || { echo "$script: go is required" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "$script: GNU time (/usr/bin/time, Debian package 'time') is required" >&2; exit 1; }
if [ ! -s "$pcap" ]; then
  echo "generating $pcap (--calls $CALLS --seed $SEED)..." >&2
  python3 "$SHARED/bench/gen_sip_pcap.py" --calls "$CALLS" --seed "$SEED" -o "$pcap" \
    --truth "$BENCH_DIR/gen-$CALLS-$SEED.truth.json" -q
fi

# timed BIN ARGS...: one `BIN analyze --progress never ARGS... $pcap`; sets
# wall, cpu (user + system) and rss (MB). Exit 1 means findings at or
# above --fail-on, not a failure; anything more stops the script.
timed() {
  local bin=$1 rc=0
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$BENCH_DIR/time.$script" \
    "$bin" analyze --progress never "$@" "$pcap" >/dev/null 2>"$BENCH_DIR/err.$script" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "$script: $bin analyze $* failed (exit $rc):" >&2
    cat "$BENCH_DIR/err.$script" >&2
    exit 1
  fi
  local u s kb
  read -r wall u s kb <"$BENCH_DIR/time.$script"
  cpu=$(echo "$u + $s" | bc)
  rss=$((kb / 1024))
}

# median X...: the median of the numbers.
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
