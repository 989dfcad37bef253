#!/usr/bin/env bash
# What storing a run costs: `sipaudit analyze` on the generator's ~1M-packet
# capture without a database (--db "") and into a new SQLite database, as
# PAIRS interleaved pairs (the order alternates within the pair), with the
# cost of each pair and the median. One pair says little on a shared
# machine: the same command varies by 20 % from run to run here, so
# compare medians. Issue 6's goal: at most 30 %.
#
#   scripts/bench-store.sh            # 7 pairs on --calls 63400 (~1M packets)
#   PAIRS=3 CALLS=6340 scripts/bench-store.sh
#
# Each run is also timed for CPU (user + system) and peak RSS (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-7}
. scripts/bench-lib.sh
bin="$BENCH_DIR/sipaudit"
go build -o "$bin" ./cmd/sipaudit
db="$BENCH_DIR/store-bench.db"
cat "$pcap" >/dev/null # page cache

# run DBPATH: one analysis into DBPATH ("" for none); sets wall, cpu and rss
run() {
  rm -f "$db" "$db-wal" "$db-shm"
  timed "$bin" --db "$1"
}

echo "capture: $pcap ($(du -Lm "$pcap" | cut -f1) MB), $(nproc) cores, $PAIRS pairs"
printf '%-5s %26s %26s %8s\n' pair "without db: wall cpu rss" "with db: wall cpu rss" cost
costs=()
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) -eq 1 ]; then
    run ""; w0=$wall c0=$cpu m0=$rss; run "$db"; w1=$wall c1=$cpu m1=$rss
  else
    run "$db"; w1=$wall c1=$cpu m1=$rss; run ""; w0=$wall c0=$cpu m0=$rss
  fi
  cost=$(echo "($w1 / $w0 - 1) * 100" | bc -l)
  costs+=("$cost")
  printf '%-5s %9.2f s %6.1f s %4d MB %9.2f s %6.1f s %4d MB %+7.0f%%\n' "$i" "$w0" "$c0" "$m0" "$w1" "$c1" "$m1" "$cost"
done
rm -f "$db" "$db-wal" "$db-shm"
median=$(median "${costs[@]}")
printf 'storing costs %+.0f%% (median of %d pairs; goal: at most +30%%)\n' "$median" "$PAIRS"
