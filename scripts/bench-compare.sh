#!/usr/bin/env bash
# Compare two revisions of sipaudit on the generator's ~1M-packet capture:
# `sipaudit analyze --db ""` of each, as PAIRS interleaved pairs (the order
# alternates within the pair), with wall time, CPU and peak RSS of every
# run, the ratio of each pair and the median ratio. The machine is shared
# and varies by 20 % from run to run; interleaving and the median are what
# make two revisions comparable.
#
#   scripts/bench-compare.sh OLD [NEW]    # git revisions; NEW defaults to the work tree
#   PAIRS=3 CALLS=6340 scripts/bench-compare.sh HEAD~3
#
# Each revision is built with its own default memory limit, as a user runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { echo "usage: scripts/bench-compare.sh OLD [NEW]" >&2; exit 2; }
old=$1
new=${2:-}
PAIRS=${PAIRS:-5}
. scripts/bench-lib.sh

# build REV OUT: build revision REV (empty: the work tree) into OUT
build() {
  if [ -z "$1" ]; then
    go build -o "$2" ./cmd/sipaudit
    return
  fi
  local wt="$BENCH_DIR/worktree"
  rm -rf "$wt"
  git worktree prune
  git worktree add -q --detach "$wt" "$1"
  (cd "$wt" && go build -o "$2" ./cmd/sipaudit)
  git worktree remove --force "$wt"
}
build "$old" "$BENCH_DIR/sipaudit.old"
build "$new" "$BENCH_DIR/sipaudit.new"
cat "$pcap" >/dev/null # page cache

# run BIN: one analysis without a database; sets wall, cpu and rss
run() { timed "$1" --db ""; }

echo "capture: $pcap ($(du -Lm "$pcap" | cut -f1) MB), $(nproc) cores, $PAIRS pairs; old ${old}, new ${new:-work tree}"
printf '%-5s %26s %26s %8s\n' pair "old: wall cpu rss" "new: wall cpu rss" new/old
ratios=()
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) -eq 1 ]; then
    run "$BENCH_DIR/sipaudit.old"; w0=$wall c0=$cpu m0=$rss; run "$BENCH_DIR/sipaudit.new"; w1=$wall c1=$cpu m1=$rss
  else
    run "$BENCH_DIR/sipaudit.new"; w1=$wall c1=$cpu m1=$rss; run "$BENCH_DIR/sipaudit.old"; w0=$wall c0=$cpu m0=$rss
  fi
  ratio=$(echo "$w1 / $w0" | bc -l)
  ratios+=("$ratio")
  printf '%-5s %9.2f s %6.1f s %4d MB %9.2f s %6.1f s %4d MB %8.2f\n' "$i" "$w0" "$c0" "$m0" "$w1" "$c1" "$m1" "$ratio"
done
median=$(median "${ratios[@]}")
printf 'new/old wall time: %.2f (median of %d pairs)\n' "$median" "$PAIRS"
