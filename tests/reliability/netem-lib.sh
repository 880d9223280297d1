# Shell helpers of the reliability network tests (netem-udp.sh,
# netem-stream.sh, bench-soak.sh), sourced after setting $build (the build
# root). They skip (exit 77) unless run as root with /dev/net/tun and
# network namespaces. The impaired link is tests/netfault/bc-netem between a
# namespace made here and the root namespace: 10.203.N.1 (here, root side)
# <-> 10.203.N.2 (there), N from this process id, above the netfault
# suite's own numbers. Everything created is removed on exit.
set -u
netem=$build/tests/netfault/bc-netem
server_bin=$build/src/server/bountycam-server
cli_bin=$build/src/cli/bountycam-cli
python=$(command -v python3) || exit 77
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "# needs root and /dev/net/tun"; exit 77; }
[ -x "$netem" ] || { echo "# no bc-netem"; exit 77; }

index=$((100 + $$ % 150))
ns=bcrel$$
here=10.203.$index.1
there=10.203.$index.2
dir=$(mktemp -d)
pids=()

cleanup () {
  exec 3>&- 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  ip link del "bcnf${index}r" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

now () { date +%s.%N; }
mark () { echo "$(now) $1" >> "$dir/phases"; echo "# $(date +%T) $1"; }

# The namespace and the link into it; bc-netem reads commands from fd 3.
# Arguments go to bc-netem (e.g. --keep-order).
link_up () {
  ip netns add "$ns" || { echo "# cannot create a network namespace"; exit 77; }
  mkfifo "$dir/ctl"
  "$netem" --netns "$ns" --index "$index" "$@" < "$dir/ctl" > "$dir/netem.out" 2> "$dir/netem.err" &
  pids+=($!)
  exec 3> "$dir/ctl"
  for _ in $(seq 100); do grep -q ready "$dir/netem.out" && break; sleep 0.1; done
  grep -q ready "$dir/netem.out" || { cat "$dir/netem.out" "$dir/netem.err"; exit 77; }
}
set_netem () { echo "$1" >&3; }
netem_stats () { echo stats >&3; sleep 0.2; tail -1 "$dir/netem.out"; }

# The server on the link's root end, media (ICE) on that address only; sets
# $server_pid, $base (http://) and $ws (ws://).
start_server () {
  [ -x "$cli_bin" ] || { echo "# no bountycam-cli"; exit 77; }
  secret () { head -c 32 /dev/urandom | base64 | tr -d '/+=' ; }
  LIVEKIT_API_KEY=APInetem LIVEKIT_API_SECRET=$(secret) CLEANUP_API_KEY=$(secret) \
    BOUNTYCAM_JWT_SECRET=$(secret) BOUNTYCAM_DATABASE=$dir/db.sqlite \
    BOUNTYCAM_SFU_ICE_ADDRESSES=$here \
    "$server_bin" --listen "$here:0" > "$dir/server.out" 2> "$dir/server.err" &
  server_pid=$!
  pids+=($server_pid)
  for _ in $(seq 300); do grep -qs "listening on" "$dir/server.out" && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$dir/server.out")
  [ -n "$base" ] || { cat "$dir/server.err"; echo "not ok: the server did not start"; exit 1; }
  ws=ws://${base#http://}
}

# Two accounts, a bounty, a session and a LiveKit token per role (the API
# over the root namespace's address): $lk_a watches, $lk_b publishes.
make_session () {
  api () {
    curl -sf -X "$1" -H "Content-Type: application/json" ${3:+-H "Authorization: Bearer $3"} \
      ${4:+--data "$4"} "$base$2"
  }
  field () { "$python" -c "import json,sys; print(json.load(sys.stdin)$1)"; }
  local ta tb bounty session
  ta=$(api POST /api/auth/signup "" '{"email":"req@example.org","password":"correct horse 1","display_name":"Req"}' | field '["access_token"]')
  tb=$(api POST /api/auth/signup "" '{"email":"str@example.org","password":"correct horse 2","display_name":"Str"}' | field '["access_token"]')
  bounty=$(api POST /api/bounties "$ta" '{"title":"netem","description":"","reward_points":5}' | field '["id"]')
  session=$(api POST "/api/bounties/$bounty/accept" "$tb" | field '["id"]')
  lk_b=$(api POST /api/livekit/token "$tb" "{\"session_id\":\"$session\"}" | field '["token"]')
  lk_a=$(api POST /api/livekit/token "$ta" "{\"session_id\":\"$session\"}" | field '["token"]')
  [ -n "$lk_a" ] && [ -n "$lk_b" ] || { echo "not ok: no session"; exit 1; }
}

# Each output line gets the wall-clock time it arrived at.
stamp () { "$python" -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time(), line))
'; }

# bountycam-cli publish --camera test in the namespace (VP8), watch outside;
# waits for the viewer's first frame. Output in $dir/{publish,watch}.{out,err}.
start_stream () {
  ip netns exec "$ns" "$cli_bin" --json --allow-insecure publish --camera test --codec vp8 \
    --livekit-url "$ws" --token "$lk_b" 2> "$dir/publish.err" | stamp > "$dir/publish.out" &
  pids+=($!)
  "$cli_bin" --json --allow-insecure watch --livekit-url "$ws" --token "$lk_a" \
    2> "$dir/watch.err" | stamp > "$dir/watch.out" &
  pids+=($!)
  for _ in $(seq 300); do grep -q '"first_frame"' "$dir/watch.out" && break; sleep 0.1; done
  if ! grep -q '"first_frame"' "$dir/watch.out"; then
    tail -n 5 "$dir/publish.err" "$dir/watch.err" "$dir/publish.out" "$dir/watch.out"
    echo "not ok: no first frame on a clean link"; exit 1
  fi
}
