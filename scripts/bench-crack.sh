#!/usr/bin/env bash
# Compare the digest/crack dictionary attack with John the Ripper, one core
# each, and print candidates per second per core.
#
#   scripts/bench-crack.sh                    # John --test=5, go -benchtime 2s
#   JOHN_SECONDS=2 BENCHTIME=1s scripts/bench-crack.sh
#
# sipaudit's figure is BenchmarkCandidates (digest/crack/bench_test.go) run
# with -cpu 1: one op is one candidate tried against one target on one core.
# John's figure is `john --test` with OMP_NUM_THREADS=1 (John's only
# parallelism within one process is OpenMP; --fork would add processes).
#
# John's SIP format (sip_fmt_plug.c) exists only in the "jumbo" John. The
# Debian/Ubuntu package "john" is the core 1.9 John, which has neither SIP
# nor raw-md5. When SIP is missing the script says so and measures the
# closest MD5 format present (raw-md5, else md5crypt), then converts it to an
# estimate of John's SIP speed by counting MD5 blocks (64-byte compression
# function calls): md5crypt is ~1002 blocks per candidate for passwords of up
# to 15 characters (1000 rounds of one block, plus two), raw-md5 one block.
set -euo pipefail
cd "$(dirname "$0")/.."

JOHN_SECONDS=${JOHN_SECONDS:-5}
BENCHTIME=${BENCHTIME:-2s}

command -v go >/dev/null 2>&1 || { echo "bench-crack.sh: go is required" >&2; exit 1; }

if ! command -v john >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench-crack.sh: installing john (Debian package)..." >&2
    apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y john >/dev/null
  else
    echo "bench-crack.sh: john is not installed; as root run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y john" >&2
    exit 1
  fi
fi
JOHN=$(command -v john)
john_version=$("$JOHN" 2>&1 | head -n 1 || true)

# john_cps FORMAT: c/s (real, one thread) that `john --test` reports for
# FORMAT, or nothing if John lacks the format. With salts, the "Only one
# salt" line is the single-target figure; otherwise the "Raw" line.
john_cps() {
  local out
  out=$(OMP_NUM_THREADS=1 "$JOHN" --test="$JOHN_SECONDS" --format="$1" 2>&1) || true
  if grep -qiE 'unknown ciphertext format|no such format|invalid' <<<"$out"; then
    return 0
  fi
  echo "$out" >&2
  awk -F'[:,]' '
    function num(s) { gsub(/^[ \t]+/, "", s); split(s, p, " "); v = p[1]
      if (v ~ /K$/) { sub(/K$/, "", v); v *= 1e3 } else if (v ~ /M$/) { sub(/M$/, "", v); v *= 1e6 } else if (v ~ /G$/) { sub(/G$/, "", v); v *= 1e9 }
      return v }
    /^Only one salt:/ { one = num($2) }
    /^Raw:/           { raw = num($2) }
    END { if (one != "") print one; else if (raw != "") print raw }' <<<"$out"
}

echo "== John: $JOHN ($john_version), OMP_NUM_THREADS=1 $JOHN --test=$JOHN_SECONDS --format=..." >&2
john_format=SIP
john_raw=$(john_cps SIP)
john_blocks=0 # MD5 blocks per candidate of the measured format; 0: it is SIP itself
if [ -z "$john_raw" ]; then
  echo "bench-crack.sh: this John ($john_version) has no SIP format (it is in the jumbo John only)." >&2
  for f in raw-md5:1 md5crypt:1002; do
    john_raw=$(john_cps "${f%%:*}")
    if [ -n "$john_raw" ]; then
      john_format=${f%%:*}
      john_blocks=${f##*:}
      echo "bench-crack.sh: falling back to John's $john_format format, converted by MD5 block count (see the table notes)." >&2
      break
    fi
  done
fi
[ -n "$john_raw" ] || { echo "bench-crack.sh: John has none of SIP, raw-md5, md5crypt" >&2; exit 1; }

bench_cmd=(go test ./digest/crack -run '^$' -bench '^BenchmarkCandidates$' -benchtime "$BENCHTIME" -cpu 1 -count 1)
echo "== sipaudit: ${bench_cmd[*]}" >&2
bench_out=$("${bench_cmd[@]}")
echo "$bench_out" >&2

# MD5 blocks per candidate for each BenchmarkCandidates target (RFC 2617
# section 3.5 exchange, 8-12 byte candidates): H(A1) is one block; the final
# input is 123 bytes with qop (3 blocks) and 100 without (2 blocks); the
# -sess A1 is 76 bytes (2 blocks).
declare -A blocks=([MD5-auth]=4 [MD5-noqop]=3 [MD5-sess-auth]=6)

john_md5auth=""
printf '\n%-18s %18s %18s %8s\n' algorithm "sipaudit c/s/core" "John c/s (1 core)" ratio
for name in MD5-auth MD5-noqop MD5-sess-auth SHA-256-auth SHA-512-256-auth; do
  ours=$(awk -v n="BenchmarkCandidates/$name" '$1 == n { for (i = 2; i < NF; i++) if ($(i+1) == "c/s/core") print $i }' <<<"$bench_out")
  [ -n "$ours" ] || { echo "bench-crack.sh: no result for $name" >&2; exit 1; }
  john="" note=""
  if [ -n "${blocks[$name]:-}" ]; then
    if [ "$john_blocks" -eq 0 ]; then
      john=$john_raw # John's SIP format: MD5 with qop auth or none
    else
      john=$(awk -v c="$john_raw" -v per="$john_blocks" -v b="${blocks[$name]}" 'BEGIN { printf "%.0f", c * per / b }')
      note=" (est.)"
    fi
    [ "$name" = MD5-auth ] && john_md5auth=$john
  fi
  if [ -n "$john" ]; then
    printf '%-18s %18.0f %18s %7.2fx\n' "$name" "$ours" "$(printf '%.0f' "$john")$note" "$(awk -v a="$ours" -v b="$john" 'BEGIN { print a / b }')"
  else
    # No John format exists for SHA-256 or SHA-512-256 digests at all.
    printf '%-18s %18.0f %18s %7.2fx vs John MD5-auth\n' "$name" "$ours" "n/a" "$(awk -v a="$ours" -v b="$john_md5auth" 'BEGIN { print a / b }')"
  fi
done
echo
echo "John format measured: $john_format ($(printf '%.0f' "$john_raw") c/s, one thread; $john_version)."
if [ "$john_blocks" -ne 0 ]; then
  echo "(est.) = $john_format c/s x $john_blocks MD5 blocks per $john_format candidate / MD5 blocks per SIP candidate:"
  echo "        John's MD5 block rate spent on SIP candidates. John's real SIP format hashes one candidate at a"
  echo "        time with scalar MD5, so this estimate is if anything above what John's SIP format would do."
fi
echo "SHA-256 / SHA-512-256 digests: no John or hashcat format exists; the ratio compares with John's MD5-auth figure."
