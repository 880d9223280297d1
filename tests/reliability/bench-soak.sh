#!/bin/bash
# Soak (a benchmark): publish + watch for SOAK_MINUTES (default 30) with a
# 5 s outage of the streamer's link every RECONNECT_MINUTES (default 3),
# through bc-netem as in netem-stream.sh. RSS, file descriptors and threads
# of the server, the streamer and the viewer are sampled every 10 s; the
# table compares the first sample after warm-up (2 minutes, or a fifth of
# a short run) with the last.
#
# Needs root, /dev/net/tun and network namespaces; skips (77) without them.
# Addresses are in 198.18.0.0/15 (set aside for benchmarks, RFC 2544);
# everything created is removed on exit.
#
# Usage: bench-soak.sh BUILD_ROOT
set -u
build=$1
minutes=${SOAK_MINUTES:-30}
reconnect_min=${RECONNECT_MINUTES:-3}
netem=$build/tests/reliability/bc-netem
server_bin=$build/src/server/bountycam-server
cli_bin=$build/src/cli/bountycam-cli
python=$(command -v python3) || exit 77
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "# needs root and /dev/net/tun"; exit 77; }
[ -x "$cli_bin" ] || { echo "# no bountycam-cli"; exit 77; }

id=$$
ns=bcso$id
tun_a=bcoa$id
tun_b=bcob$id
net=198.19.$(((id + 125) % 250))
here=$net.1
there=$net.2
dir=$(mktemp -d)
pids=()

cleanup () {
  exec 3>&- 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  ip link del "$tun_a" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

now () { date +%s.%N; }
mark () { echo "$(now) $1" >> "$dir/phases"; echo "# $(date +%T) $1"; }

# The link.
ip netns add "$ns" || { echo "# cannot create a network namespace"; exit 77; }
mkfifo "$dir/ctl"
"$netem" "$tun_a" "$tun_b" < "$dir/ctl" > "$dir/netem.out" 2>&1 &
pids+=($!)
exec 3> "$dir/ctl"
for _ in $(seq 50); do grep -q ready "$dir/netem.out" && break; sleep 0.1; done
grep -q ready "$dir/netem.out" || { cat "$dir/netem.out"; exit 77; }
ip link set "$tun_b" netns "$ns"
ip addr add "$here" peer "$there" dev "$tun_a"
ip link set "$tun_a" up
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add "$there" peer "$here" dev "$tun_b"
ip netns exec "$ns" ip link set "$tun_b" up
set_netem () { echo "$1" >&3; }

# The server on the link's root end, media (ICE) on that address only.
secret () { head -c 32 /dev/urandom | base64 | tr -d '/+=' ; }
LIVEKIT_API_KEY=APInetem LIVEKIT_API_SECRET=$(secret) CLEANUP_API_KEY=$(secret) \
  BOUNTYCAM_JWT_SECRET=$(secret) BOUNTYCAM_DATABASE=$dir/db.sqlite \
  BOUNTYCAM_SFU_ICE_ADDRESSES=$here \
  "$server_bin" --listen "$here:0" > "$dir/server.out" 2> "$dir/server.err" &
pids+=($!)
for _ in $(seq 100); do grep -qs "listening on" "$dir/server.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$dir/server.out")
[ -n "$base" ] || { cat "$dir/server.err"; echo "not ok: the server did not start"; exit 1; }
ws=ws://${base#http://}

# Two accounts, a bounty, a session, a token per role (the API over the
# root namespace's local address).
api () {
  curl -sf -X "$1" -H "Content-Type: application/json" ${3:+-H "Authorization: Bearer $3"} \
    ${4:+--data "$4"} "$base$2"
}
field () { "$python" -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ta=$(api POST /api/auth/signup "" '{"email":"req@example.org","password":"correct horse 1","display_name":"Req"}' | field '["access_token"]')
tb=$(api POST /api/auth/signup "" '{"email":"str@example.org","password":"correct horse 2","display_name":"Str"}' | field '["access_token"]')
bounty=$(api POST /api/bounties "$ta" '{"title":"netem","description":"","reward_points":5}' | field '["id"]')
session=$(api POST "/api/bounties/$bounty/accept" "$tb" | field '["id"]')
lk_b=$(api POST /api/livekit/token "$tb" "{\"session_id\":\"$session\"}" | field '["token"]')
lk_a=$(api POST /api/livekit/token "$ta" "{\"session_id\":\"$session\"}" | field '["token"]')
[ -n "$lk_a" ] && [ -n "$lk_b" ] || { echo "not ok: no session"; exit 1; }

# Each output line gets the wall-clock time it arrived at.
stamp () { "$python" -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time(), line))
'; }

ip netns exec "$ns" "$cli_bin" --json --allow-insecure publish --camera test --codec vp8 \
  --livekit-url "$ws" --token "$lk_b" 2> "$dir/publish.err" | stamp > "$dir/publish.out" &
pids+=($!)
"$cli_bin" --json --allow-insecure watch --livekit-url "$ws" --token "$lk_a" 2> "$dir/watch.err" | stamp > "$dir/watch.out" &
pids+=($!)

for _ in $(seq 300); do grep -q '"first_frame"' "$dir/watch.out" && break; sleep 0.1; done
if ! grep -q '"first_frame"' "$dir/watch.out"; then
  tail -n 5 "$dir/publish.err" "$dir/watch.err" "$dir/publish.out" "$dir/watch.out"
  echo "not ok: no first frame on a clean link"; exit 1
fi

server_pid=${pids[1]}
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
