#!/bin/bash
# A live stream over an impaired link: the streamer (bountycam-cli publish
# --camera test) runs in a network namespace this test creates, joined to
# the root namespace only through bc-netem; the server (with its built-in
# SFU) and the viewer (bountycam-cli watch --json) run in the root
# namespace. Phases: clean, 5 % loss + 50 ms delay + 20 ms jitter, clean
# again, a 5 s outage and a 30 s outage. Prints delivered fps, freezes,
# bitrate and the time from link-up to the first new frame on the viewer.
# Asserted: frames keep coming under loss, and come back after each outage.
#
# Needs root, /dev/net/tun and network namespaces; skips (77) without them.
# Addresses are in 198.18.0.0/15 (set aside for benchmarks, RFC 2544);
# everything created is removed on exit.
#
# Usage: netem-stream.sh BUILD_ROOT [IMPAIRED_SECONDS]
set -u
build=$1
impaired_s=${2:-30}
netem=$build/tests/reliability/bc-netem
server_bin=$build/src/server/bountycam-server
cli_bin=$build/src/cli/bountycam-cli
python=$(command -v python3) || exit 77
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "# needs root and /dev/net/tun"; exit 77; }
[ -x "$cli_bin" ] || { echo "# no bountycam-cli"; exit 77; }

id=$$
ns=bcst$id
tun_a=bcsa$id
tun_b=bcsb$id
net=198.19.$((id % 250))
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

mark "clean"; sleep 8
mark "impaired"; set_netem "loss 5"; set_netem "delay 50"; set_netem "jitter 20"; sleep "$impaired_s"
mark "cleared"; set_netem "loss 0"; set_netem "delay 0"; set_netem "jitter 0"; sleep 10
mark "outage-5s"; set_netem "down"; sleep 5
mark "up-after-5s"; set_netem "up"; sleep 20
mark "outage-30s"; set_netem "down"; sleep 30
mark "up-after-30s"; set_netem "up"; sleep 30
# Longer than the client's give-up time (60 s): the streamer must end in
# "failed" with a reason, not hang in "reconnecting".
mark "outage-giveup"; set_netem "down"
for _ in $(seq 120); do grep -q '"summary"' "$dir/publish.out" && break; sleep 1; done
mark "end"

"$python" - "$dir/phases" "$dir/watch.out" "$dir/publish.out" <<'EOF'
import json, sys
phases = [l.split() for l in open(sys.argv[1])]
stats = []
for line in open(sys.argv[2]):
    t, _, text = line.partition(" ")
    try:
        obj = json.loads(text)
    except ValueError:
        continue
    if obj.get("type") == "stats":
        stats.append((float(t), obj))
    elif obj.get("type") in ("state", "disconnected"):
        print("# viewer %s %s" % (obj.get("type"), obj.get("state", obj.get("reason", ""))))

def first_new_frame(t):
    """When frames grew after t (a rejoin restarts the count)."""
    later = [(ts, o.get("frames", 0)) for ts, o in stats if ts > t - 1.0]
    for (ta, a), (tb, b) in zip(later, later[1:]):
        if tb > t and (b > a or (b < a and b > 0)):
            return tb
    return None

fail = 0
print("# | phase | seconds | delivered fps | freezes (1 s without a new frame) | bitrate kbps |")
print("# |---|---|---|---|---|")
for (t0, name), (t1, _) in zip(phases, phases[1:]):
    t0, t1 = float(t0), float(t1)
    window = [(ts, o) for ts, o in stats if t0 <= ts <= t1]
    if len(window) < 2:
        continue
    # A rejoin restarts the viewer's count: add up the increments.
    counts = [o.get("frames", 0) for _, o in window]
    frames = sum(b - a if b >= a else b for a, b in zip(counts, counts[1:]))
    span = window[-1][0] - window[0][0]
    freezes = sum(1 for a, b in zip(window, window[1:]) if b[1].get("frames", 0) == a[1].get("frames", 0))
    rates = [o.get("bitrate_kbps", 0) for _, o in window]
    print("# | %s | %.0f | %.1f | %d | %.0f |" % (name, t1 - t0, frames / span if span else 0, freezes,
                                                sum(rates) / len(rates)))
    if name == "impaired" and frames / span < 5:
        print("not ok: the stream did not survive 5 %% loss (%.1f fps)" % (frames / span))
        fail = 1
for (t, name) in phases:
    if not name.startswith("up-after"):
        continue
    t = float(t)
    seen = first_new_frame(t)
    if seen is not None:
        print("# %s: first new frame %.1f s after link-up (stats every 1 s)" % (name, seen - t))
    else:
        print("not ok: %s: no new frame after the link came back" % name)
        fail = 1

# The give-up: the streamer's own account of it.
giveup = [float(t) for t, name in phases if name == "outage-giveup"][0]
ended = None
for line in open(sys.argv[3]):
    t, _, text = line.partition(" ")
    try:
        obj = json.loads(text)
    except ValueError:
        continue
    if float(t) < giveup:
        continue
    if obj.get("type") == "state":
        print("# streamer after %.0f s: %s %s" % (float(t) - giveup, obj.get("state"), obj.get("detail", "")))
    if obj.get("type") == "summary":
        ended = (float(t) - giveup, obj)
if ended is None:
    print("not ok: the streamer never gave up during a long outage")
    fail = 1
else:
    print("# streamer gave up %.0f s into the outage: exit %s, %s" % (ended[0], ended[1].get("exit_code"),
                                                                  ended[1].get("reason", "")))
    if ended[1].get("exit_code", 0) == 0:
        print("not ok: the streamer ended without an error code")
        fail = 1
sys.exit(fail)
EOF
rc=$?
echo "# netem: $(echo stats >&3; sleep 0.2; tail -1 "$dir/netem.out")"
[ $rc = 0 ] || tail -n 5 "$dir/publish.err" "$dir/watch.err"
exit $rc
