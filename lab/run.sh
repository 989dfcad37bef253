#!/usr/bin/env bash
# sipaudit SIP test lab: Kamailio 5.6 registrar/proxy with digest auth
# (qop=auth, nonce-count), a sipp UAS, sipp/python UACs, HEPv3 mirror.
#
# usage: lab/run.sh OUTDIR
#
# env: SIP_PORT (5070)  UAS_PORT (5080)  HEP_PORT (9060)
#      SOAK_SECONDS (0 = no soak)  SOAK_RATE (10 calls/s)
#      NO_TCPDUMP=1     do not capture (the caller captures itself)
#      HEP_PCAP=1       also capture the HEP mirror to OUTDIR/hep.pcap
#      HEP_SRC_PORT (9061)  local port Kamailio sends the HEP mirror from
#      UAC_BASE_PORT (5090) the UACs use UAC_BASE_PORT+1 .. +6
#      HEP_AUTH_KEY     optional HEPv3 auth key (siptrace auth_key)
#
# Everything is on 127.0.0.1, every process started here is stopped by its
# PID (also on error / Ctrl-C), and each step has a time limit.
# Writes OUTDIR/results.txt, OUTDIR/lab.pcap and OUTDIR/*.log.
# Exit status: 0 all scenarios passed; 1 a scenario failed; 2 setup failed
# (bad usage, busy port, Kamailio did not start).

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
	sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi

SIP_PORT=${SIP_PORT:-5070}
UAS_PORT=${UAS_PORT:-5080}
HEP_PORT=${HEP_PORT:-9060}
HEP_SRC_PORT=${HEP_SRC_PORT:-9061}
UAC_BASE_PORT=${UAC_BASE_PORT:-5090}
SOAK_SECONDS=${SOAK_SECONDS:-0}
SOAK_RATE=${SOAK_RATE:-10}
NO_TCPDUMP=${NO_TCPDUMP:-0}
HEP_PCAP=${HEP_PCAP:-0}
HEP_AUTH_KEY=${HEP_AUTH_KEY:-}
REALM=lab.sipaudit.test

KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
SIPP=${SIPP:-/usr/bin/sipp}
# the system python starts in 40 ms, a pyenv shim in 400 ms (stdlib only)
if [[ -z ${PYTHON:-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

die() { echo "run.sh: $*" >&2; exit 2; }

for v in SIP_PORT UAS_PORT HEP_PORT HEP_SRC_PORT UAC_BASE_PORT SOAK_SECONDS SOAK_RATE; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number (got '${!v}')"
done
((SOAK_RATE > 0)) || die "SOAK_RATE must be > 0"
((SOAK_SECONDS <= 600)) || die "SOAK_SECONDS must be <= 600"
[[ -z $HEP_AUTH_KEY || $HEP_AUTH_KEY =~ ^[A-Za-z0-9._-]+$ ]] || die "HEP_AUTH_KEY: letters, digits, . _ - only"

P_ALICE=$((UAC_BASE_PORT + 1))
P_BOB=$((UAC_BASE_PORT + 2))
P_CAROL=$((UAC_BASE_PORT + 3))
P_INVITE=$((UAC_BASE_PORT + 4))
P_REPLAY=$((UAC_BASE_PORT + 5))
P_SOAK=$((UAC_BASE_PORT + 6))

ALL_PORTS=("$SIP_PORT" "$UAS_PORT" "$HEP_SRC_PORT" "$P_ALICE" "$P_BOB" "$P_CAROL" "$P_INVITE" "$P_REPLAY" "$P_SOAK")
if [[ $(printf '%s\n' "${ALL_PORTS[@]}" "$HEP_PORT" | sort -u | wc -l) -ne $((${#ALL_PORTS[@]} + 1)) ]]; then
	die "ports overlap: SIP $SIP_PORT UAS $UAS_PORT HEP $HEP_PORT HEP_SRC $HEP_SRC_PORT UAC $P_ALICE-$P_SOAK"
fi

for cmd in "$KAMAILIO" "$SIPP" "$PYTHON" ss timeout; do
	command -v "$cmd" >/dev/null || die "$cmd not found"
done
if [[ $NO_TCPDUMP != 1 ]]; then
	command -v tcpdump >/dev/null || die "tcpdump not found (or set NO_TCPDUMP=1)"
fi

mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
# outputs of a previous run (only the files this script writes)
rm -f "$OUTDIR"/results.txt "$OUTDIR"/lab.pcap "$OUTDIR"/hep.pcap "$OUTDIR"/kamailio.cfg \
	"$OUTDIR"/kamailio.log "$OUTDIR"/tcpdump*.log "$OUTDIR"/uas.log "$OUTDIR"/probe.log \
	"$OUTDIR"/reg_ok_*.log "$OUTDIR"/reg_badpw_*.log "$OUTDIR"/invite_uac.log \
	"$OUTDIR"/reg_replay.log "$OUTDIR"/soak_uac.log "$OUTDIR"/sip_flow.txt
RUNDIR=$(mktemp -d "$OUTDIR/run.XXXXXX")
cd "$RUNDIR" # whatever a tool writes to its working directory goes away with it

KAM_PID="" UAS_PID="" TCPDUMP_PID="" HEPDUMP_PID="" FG_PID=""
T_START=$EPOCHREALTIME

elapsed() { awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[$(elapsed)s] $*"; }

# stop_pid PID SIGNAL SECONDS: signal one process, wait for it, SIGKILL after SECONDS
stop_pid() {
	local pid=$1 sig=$2 secs=$3 i
	[[ -n $pid ]] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: PID $pid did not stop on SIG$sig, sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# Kamailio: the main process (our child) stops its own children on SIGTERM;
# if it has to be killed, its children are killed by PID too.
stop_kamailio() {
	[[ -n $KAM_PID ]] || return 0
	local kids k
	kids=$(ps -o pid= --ppid "$KAM_PID" 2>/dev/null | tr -d ' ' || true)
	stop_pid "$KAM_PID" TERM 5
	for k in $kids; do
		if kill -0 "$k" 2>/dev/null; then
			kill -KILL "$k" 2>/dev/null || true
		fi
	done
	KAM_PID=""
}

cleanup() {
	local rc=$?
	set +e
	stop_pid "$FG_PID" TERM 3; FG_PID=""
	stop_pid "$UAS_PID" TERM 3; UAS_PID=""
	stop_kamailio
	# tcpdump: SIGINT so that it flushes and closes the file
	stop_pid "$TCPDUMP_PID" INT 3; TCPDUMP_PID=""
	stop_pid "$HEPDUMP_PID" INT 3; HEPDUMP_PID=""
	if [[ -n ${RUNDIR:-} && -d $RUNDIR ]]; then
		cd "$OUTDIR" && rm -rf "$RUNDIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM HUP

port_busy() { [[ -n $(ss -Hlun "( sport = :$1 )" 2>/dev/null) ]]; }

for p in "${ALL_PORTS[@]}"; do
	port_busy "$p" && die "UDP port $p on this host is already in use"
done

# ---------------------------------------------------------------- config
# credentials: lab/creds.csv (username,realm,password) -> htable init route
{
	echo "# generated by run.sh from creds.csv"
	echo "event_route[htable:mod-init] {"
	while IFS=, read -r user realm pass; do
		pass=${pass%$'\r'}
		[[ -n $user && $realm == "$REALM" ]] || continue
		[[ $user =~ ^[A-Za-z0-9._-]+$ && -n $pass && $pass != *[\"\\\$]* ]] ||
			die "creds.csv: unsupported characters in the entry of '$user'"
		printf '\t$sht(creds=>%s) = "%s";\n' "$user" "$pass"
	done < <(tail -n +2 "$LAB_DIR/creds.csv")
	echo "}"
} >"$RUNDIR/creds.cfg"

HEP_AUTH_KEY_LINE=""
[[ -n $HEP_AUTH_KEY ]] && HEP_AUTH_KEY_LINE="modparam(\"siptrace\", \"auth_key\", \"$HEP_AUTH_KEY\")"

sed -e "s/@SIP_PORT@/$SIP_PORT/g" \
	-e "s/@UAS_PORT@/$UAS_PORT/g" \
	-e "s/@HEP_PORT@/$HEP_PORT/g" \
	-e "s/@HEP_SRC_PORT@/$HEP_SRC_PORT/g" \
	-e "s|@RUNDIR@|$RUNDIR|g" \
	-e "s|@HEP_AUTH_KEY_LINE@|$HEP_AUTH_KEY_LINE|g" \
	"$LAB_DIR/kamailio.cfg.in" >"$RUNDIR/kamailio.cfg"
cp "$RUNDIR/kamailio.cfg" "$OUTDIR/kamailio.cfg"
if grep -n '@[A-Z_]*@' "$RUNDIR/kamailio.cfg" >&2; then
	die "placeholders left in the generated configuration"
fi

KAM_ARGS=(-f "$RUNDIR/kamailio.cfg" -Y "$RUNDIR" -w "$RUNDIR" -m 64 -M 8)
if ! timeout 10 "$KAMAILIO" -c "${KAM_ARGS[@]}" >"$RUNDIR/check.log" 2>&1; then
	cat "$RUNDIR/check.log" >&2
	die "kamailio -c rejected the generated configuration"
fi
log "config OK ($RUNDIR/kamailio.cfg, copy in $OUTDIR/kamailio.cfg)"

# ---------------------------------------------------------------- capture
# wait_listening PID ERRFILE: tcpdump prints "listening on" once the filter is set
wait_listening() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	cat "$2" >&2
	return 1
}

if [[ $NO_TCPDUMP != 1 ]]; then
	# --immediate-mode: without it, packets still in the kernel ring buffer
	# when tcpdump gets SIGINT are lost; -Z root: write OUTDIR as root.
	tcpdump -i lo -n --immediate-mode -U -Z root -w "$OUTDIR/lab.pcap" \
		"(udp port $SIP_PORT or udp port $UAS_PORT) and not udp port $HEP_PORT" \
		2>"$OUTDIR/tcpdump.log" &
	TCPDUMP_PID=$!
	wait_listening "$TCPDUMP_PID" "$OUTDIR/tcpdump.log" || die "tcpdump did not start"
	if [[ $HEP_PCAP == 1 ]]; then
		tcpdump -i lo -n --immediate-mode -U -Z root -w "$OUTDIR/hep.pcap" \
			"udp dst port $HEP_PORT" 2>"$OUTDIR/tcpdump_hep.log" &
		HEPDUMP_PID=$!
		wait_listening "$HEPDUMP_PID" "$OUTDIR/tcpdump_hep.log" || die "tcpdump (HEP) did not start"
	fi
	log "tcpdump listening (PID $TCPDUMP_PID) -> $OUTDIR/lab.pcap"
fi

# ---------------------------------------------------------------- kamailio
# -DD: no daemon, the main process stays our child (its PID is $!) and
# forks its workers; -E: log to stderr; -Y/-w: runtime files in RUNDIR.
"$KAMAILIO" -DD -E -P "$RUNDIR/kamailio.pid" "${KAM_ARGS[@]}" >"$OUTDIR/kamailio.log" 2>&1 &
KAM_PID=$!

for ((i = 0; i < 50; i++)); do
	kill -0 "$KAM_PID" 2>/dev/null || break
	ss -Hlunp "( sport = :$SIP_PORT )" 2>/dev/null | grep -q "pid=$KAM_PID," && break
	sleep 0.1
done
if ! kill -0 "$KAM_PID" 2>/dev/null; then
	tail -20 "$OUTDIR/kamailio.log" >&2
	KAM_PID=""
	die "kamailio did not start (see $OUTDIR/kamailio.log)"
fi

# readiness: an OPTIONS to Kamailio itself must get its 200 (it is in the capture)
if ! "$PYTHON" - "$SIP_PORT" >"$OUTDIR/probe.log" 2>&1 <<'EOF'; then
import os, socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
lp = s.getsockname()[1]
branch = "z9hG4bK-probe-" + os.urandom(4).hex()
msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:probe@lab.sipaudit.test>;tag=%s\r\nTo: <sip:127.0.0.1:%d>\r\n"
       "Call-ID: probe-%s@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
       % (port, lp, branch, os.urandom(4).hex(), port, os.urandom(6).hex())).encode()
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    s.sendto(msg, ("127.0.0.1", port))
    s.settimeout(0.5)
    try:
        data = s.recv(65535)
    except socket.timeout:
        continue
    if data.startswith(b"SIP/2.0 200"):
        print("kamailio answered: " + data.split(b"\r\n", 1)[0].decode())
        sys.exit(0)
print("no 200 to OPTIONS")
sys.exit(1)
EOF
	cat "$OUTDIR/probe.log" >&2
	die "kamailio does not answer on 127.0.0.1:$SIP_PORT (see $OUTDIR/kamailio.log)"
fi
log "kamailio up (PID $KAM_PID, udp 127.0.0.1:$SIP_PORT, HEPv3 -> 127.0.0.1:$HEP_PORT)"

# ---------------------------------------------------------------- UAS
"$SIPP" -sf "$LAB_DIR/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin >"$OUTDIR/uas.log" 2>&1 &
UAS_PID=$!
for ((i = 0; i < 50; i++)); do
	kill -0 "$UAS_PID" 2>/dev/null || break
	port_busy "$UAS_PORT" && break
	sleep 0.1
done
kill -0 "$UAS_PID" 2>/dev/null && port_busy "$UAS_PORT" || die "sipp UAS did not start (see $OUTDIR/uas.log)"
log "sipp UAS up (PID $UAS_PID, udp 127.0.0.1:$UAS_PORT)"

# ---------------------------------------------------------------- scenarios
FAILED=0
RESULTS=()

# run_fg CMD...: a client step. It runs as a background job and the script
# waits for it: unlike a foreground command, "wait" returns at once on
# SIGINT/SIGTERM, and cleanup() then stops the step by its PID.
run_fg() {
	local rc=0
	"$@" &
	FG_PID=$!
	wait "$FG_PID" || rc=$?
	FG_PID=""
	return "$rc"
}

# run_sipp LOGNAME SECONDS sipp-args...: one sipp UAC, time-bounded
run_sipp() {
	local name=$1 secs=$2
	shift 2
	run_fg timeout -k 2 $((secs + 5)) "$SIPP" "$@" -i 127.0.0.1 -nostdin \
		-timeout "${secs}s" -timeout_error -recv_timeout 5000 \
		>"$OUTDIR/$name.log" 2>&1
}

# sipp_calls LOG: "successful=N failed=M" from sipp's final statistics screen
sipp_calls() {
	local ok bad
	ok=$(grep -E '^ +Successful call' "$1" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
	bad=$(grep -E '^ +Failed call' "$1" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
	echo "successful=${ok:-?} failed=${bad:-?}"
}

record() { # record NAME RC EXTRA...
	local name=$1 rc=$2
	shift 2
	local res=PASS
	[[ $rc -eq 0 ]] || { res=FAIL; FAILED=1; }
	RESULTS+=("$(printf '%-11s exit=%-3s %s %s' "$name" "$rc" "$res" "$*")")
	log "$name: exit $rc $res $*"
}

SIPP_REG=(127.0.0.1:"$SIP_PORT" -m 1 -auth_uri "$REALM")

rc=0; run_sipp reg_ok_alice 15 -sf "$LAB_DIR/reg_ok.xml" "${SIPP_REG[@]}" -p "$P_ALICE" \
	-s alice -au alice -ap alicepw || rc=$?
record reg_ok "$rc" "user=alice expect=REGISTER/401/REGISTER+auth/200 $(sipp_calls "$OUTDIR/reg_ok_alice.log")"

rc=0; run_sipp reg_ok_bob 15 -sf "$LAB_DIR/reg_ok.xml" "${SIPP_REG[@]}" -p "$P_BOB" \
	-s bob -au bob -ap bobpw || rc=$?
record reg_ok "$rc" "user=bob expect=REGISTER/401/REGISTER+auth/200 $(sipp_calls "$OUTDIR/reg_ok_bob.log")"

rc=0; run_sipp reg_badpw_carol 15 -sf "$LAB_DIR/reg_badpw.xml" "${SIPP_REG[@]}" -p "$P_CAROL" \
	-s carol -au carol -ap wrong || rc=$?
record reg_badpw "$rc" "user=carol password=wrong expect=REGISTER/401/REGISTER+auth/401 final=401 $(sipp_calls "$OUTDIR/reg_badpw_carol.log")"

rc=0; run_sipp invite_uac 15 -sf "$LAB_DIR/invite_uac.xml" 127.0.0.1:"$SIP_PORT" -m 1 -p "$P_INVITE" \
	-s bob -set caller alice -au alice -ap alicepw -auth_uri "bob@$REALM" || rc=$?
record invite_uac "$rc" "caller=alice callee=bob expect=INVITE/407/ACK/INVITE+auth/100/180/200/ACK/BYE/200 $(sipp_calls "$OUTDIR/invite_uac.log")"

# sipp cannot replay an (nonce, nc): with [authentication] it increments nc
rc=0
run_fg timeout -k 2 20 "$PYTHON" "$LAB_DIR/replay.py" --server "127.0.0.1:$SIP_PORT" \
	--local-port "$P_REPLAY" --user alice --password alicepw --domain "$REALM" -v \
	>"$RUNDIR/replay.out" 2>"$OUTDIR/reg_replay.log" || rc=$?
REPLAY_OUT=$(cat "$RUNDIR/replay.out")
echo "$REPLAY_OUT" >>"$OUTDIR/reg_replay.log"
record reg_replay "$rc" "$REPLAY_OUT"

if ((SOAK_SECONDS > 0)); then
	SOAK_CALLS=$((SOAK_SECONDS * SOAK_RATE))
	log "soak: $SOAK_CALLS calls at $SOAK_RATE/s"
	rc=0; run_sipp soak_uac $((SOAK_SECONDS + 20)) -sf "$LAB_DIR/soak_uac.xml" 127.0.0.1:"$SIP_PORT" \
		-p "$P_SOAK" -s bob -set caller alice -au alice -ap alicepw -auth_uri "bob@$REALM" \
		-r "$SOAK_RATE" -rp 1000 -m "$SOAK_CALLS" -l $((SOAK_RATE * 5 + 10)) -d 500 || rc=$?
	record soak_uac "$rc" "calls=$SOAK_CALLS rate=$SOAK_RATE/s $(sipp_calls "$OUTDIR/soak_uac.log")"
fi

# ---------------------------------------------------------------- stop
sleep 0.2 # the last replies reach the capture
stop_pid "$UAS_PID" TERM 3; UAS_PID=""
stop_kamailio
stop_pid "$TCPDUMP_PID" INT 3; TCPDUMP_PID=""
stop_pid "$HEPDUMP_PID" INT 3; HEPDUMP_PID=""

T_TOTAL=$(elapsed)
{
	echo "# sipaudit lab $(date -u +%Y-%m-%dT%H:%M:%SZ) kamailio=$("$KAMAILIO" -v 2>/dev/null | head -1 | awk '{print $3}') SIP_PORT=$SIP_PORT UAS_PORT=$UAS_PORT HEP_PORT=$HEP_PORT SOAK_SECONDS=$SOAK_SECONDS SOAK_RATE=$SOAK_RATE"
	printf '%s\n' "${RESULTS[@]}"
	printf 'overall     %s seconds=%s\n' "$([[ $FAILED -eq 0 ]] && echo PASS || echo FAIL)" "$T_TOTAL"
} >"$OUTDIR/results.txt"

if [[ $NO_TCPDUMP != 1 ]] && command -v tshark >/dev/null; then
	tshark -r "$OUTDIR/lab.pcap" -Y sip -T fields -e frame.number -e udp.srcport -e udp.dstport \
		-e sip.Method -e sip.Status-Code -e sip.CSeq >"$OUTDIR/sip_flow.txt" 2>/dev/null || true
fi

cat "$OUTDIR/results.txt"
exit "$FAILED"
