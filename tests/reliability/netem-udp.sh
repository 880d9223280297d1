#!/bin/bash
# bc-netem (tests/netfault/) on its own: an impaired link between a network
# namespace this test creates and the root namespace, checked with UDP
# echoes: clean, 5 % loss + 50 ms delay + 20 ms jitter, and an outage.
# Needs root, /dev/net/tun and network namespaces; skips (77) without them
# (netem-lib.sh). Everything it creates is removed on exit.
#
# Usage: netem-udp.sh BUILD_ROOT
build=$1
. "$(dirname "$0")/netem-lib.sh"

link_up

# A UDP echo server in the namespace.
ip netns exec "$ns" "$python" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
' "$there" &
pids+=($!)
sleep 0.5

# Sends N numbered datagrams every 5 ms; prints "received median_rtt_ms".
probe () {
  "$python" - "$1" "$there" <<'EOF'
import socket, sys, time, statistics
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
sent = {}
rtts = []
start = time.monotonic()
end = start + n * 0.005 + 1.5
i = 0
while time.monotonic() < end:
    if i < n and time.monotonic() >= start + i * 0.005:
        sent[i] = time.monotonic()
        s.sendto(str(i).encode(), (sys.argv[2], 9999))
        i += 1
    try:
        data, _ = s.recvfrom(2048)
        k = int(data)
        if k in sent:
            rtts.append((time.monotonic() - sent.pop(k)) * 1000)
    except BlockingIOError:
        time.sleep(0.001)
print(len(rtts), round(statistics.median(rtts), 1) if rtts else 0)
EOF
}

set_netem () { echo "$1" >&3; sleep 0.2; }
fail=0

read -r got rtt < <(probe 400)
echo "# clean link: $got/400 echoes, median RTT $rtt ms"
[ "$got" -ge 396 ] || { echo "not ok: clean link lost packets"; fail=1; }

set_netem "loss 5"; set_netem "delay 50"; set_netem "jitter 20"
read -r got rtt < <(probe 1000)
echo "# 5 % loss + 50 ms ± 20 ms each way: $got/1000 echoes, median RTT $rtt ms"
# Two lossy crossings: about 9.75 % lost; 2 × (50 - 20) ms is the least RTT.
[ "$got" -ge 800 ] && [ "$got" -le 970 ] || { echo "not ok: loss out of range"; fail=1; }
awk -v r="$rtt" 'BEGIN { exit !(r >= 60) }' || { echo "not ok: delay not applied"; fail=1; }

set_netem "loss 0"; set_netem "delay 0"; set_netem "jitter 0"; set_netem "down"
read -r got rtt < <(probe 200)
echo "# link down: $got/200 echoes"
[ "$got" -eq 0 ] || { echo "not ok: packets crossed a down link"; fail=1; }

set_netem "up"
read -r got rtt < <(probe 200)
echo "# link up again: $got/200 echoes, median RTT $rtt ms"
[ "$got" -ge 198 ] || { echo "not ok: the link did not come back"; fail=1; }

echo "# $(netem_stats)"
exit $fail
