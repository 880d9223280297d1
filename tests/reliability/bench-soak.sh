#!/bin/bash
# Soak (a benchmark): publish + watch for SOAK_MINUTES (default 30) with a
# 5 s outage of the streamer's link every RECONNECT_MINUTES (default 3),
# through bc-netem as in netem-stream.sh. RSS, file descriptors and threads
# of the server, the streamer and the viewer are sampled every 10 s; the
# table compares the first sample after warm-up (2 minutes, or a fifth of
# a short run) with the last.
#
# Needs root, /dev/net/tun and network namespaces; skips (77) without them
# (netem-lib.sh).
#
# Usage: bench-soak.sh BUILD_ROOT
build=$1
minutes=${SOAK_MINUTES:-30}
reconnect_min=${RECONNECT_MINUTES:-3}
. "$(dirname "$0")/netem-lib.sh"

link_up --keep-order
start_server
make_session
start_stream

publisher_pid=$(pgrep -f -- "--token $lk_b" | head -1)
viewer_pid=$(pgrep -f -- "--token $lk_a" | head -1)

sample () {
  for who in server publisher viewer; do
    eval "pid=\$${who}_pid"
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || { echo "$1 $who 0 0 0"; continue; }
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    echo "$1 $who $rss $fds $threads"
  done >> "$dir/samples"
}

start=$(date +%s)
end=$((start + minutes * 60))
next_outage=$((start + reconnect_min * 60))
outages=0
while [ "$(date +%s)" -lt "$end" ]; do
  sample $(( $(date +%s) - start ))
  if [ "$(date +%s)" -ge "$next_outage" ]; then
    set_netem "down"; sleep 5; set_netem "up"
    outages=$((outages + 1))
    next_outage=$((next_outage + reconnect_min * 60))
  fi
  sleep 10
done
sample $(( $(date +%s) - start ))

warmup=$(( minutes * 60 / 5 < 120 ? minutes * 60 / 5 : 120 ))
echo "# soak: $minutes min, $outages outages of 5 s on the streamer's link"
"$python" - "$dir/samples" "$warmup" "$dir/watch.out" <<'EOF'
import json, sys
rows = [l.split() for l in open(sys.argv[1])]
warm = int(sys.argv[2])
print("# | process | RSS MB after warm-up | RSS MB at end | growth MB | fds | threads |")
print("# |---|---|---|---|---|---|")
for who in ("server", "publisher", "viewer"):
    mine = [(int(t), int(r), int(f), int(th)) for t, w, r, f, th in rows if w == who]
    after = [m for m in mine if m[0] >= warm] or mine
    first, last = after[0], mine[-1]
    print("# | %s | %.1f | %.1f | %+.1f | %d -> %d | %d -> %d |" % (
        who, first[1] / 1024, last[1] / 1024, (last[1] - first[1]) / 1024,
        first[2], last[2], first[3], last[3]))
frames = []
for l in open(sys.argv[3]):
    try:
        o = json.loads(l.partition(" ")[2])
    except ValueError:
        continue
    if o.get("type") == "stats":
        frames.append(o.get("frames", 0))
print("# viewer: %d stats samples, last frame count %d" % (len(frames), frames[-1] if frames else 0))
EOF
