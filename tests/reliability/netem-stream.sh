#!/bin/bash
# A live stream over an impaired link: the streamer (bountycam-cli publish
# --camera test) runs in a network namespace this test creates, joined to
# the root namespace only through bc-netem (tests/netfault/; in order, as
# netem with a rate limit); the server (with its built-in SFU) and the
# viewer (bountycam-cli watch --json) run in the root namespace. Phases:
# clean, 5 % loss + 50 ms delay + 20 ms jitter, clean again, a 5 s and a
# 30 s outage, and one past the give-up time. Prints delivered fps, freezes,
# bitrate and the time from link-up to the first new frame on the viewer.
# Asserted: frames keep coming under loss, come back after each outage, and
# the streamer gives up with an error during the long one.
#
# Needs root, /dev/net/tun and network namespaces; skips (77) without them
# (netem-lib.sh).
#
# Usage: netem-stream.sh BUILD_ROOT [IMPAIRED_SECONDS]
build=$1
impaired_s=${2:-30}
. "$(dirname "$0")/netem-lib.sh"

link_up --keep-order
start_server
make_session
start_stream

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
echo "# netem: $(netem_stats)"
[ $rc = 0 ] || tail -n 5 "$dir/publish.err" "$dir/watch.err"
exit $rc
