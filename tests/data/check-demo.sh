#!/usr/bin/env bash
# The README's run command without a display: data/bountycam-demo plays the
# whole story with bountycam-cli and the requester receives frames, the
# session ends approved and the points move once. Then Ctrl-C (SIGINT) on a
# second run stops everything it started.
# Usage: check-demo.sh SOURCE_ROOT BUILD_ROOT   (prints TAP)
set -u
src=$1
build=$2
demo=$src/data/bountycam-demo
out=$(mktemp)
trap 'rm -f "$out"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "1..5"
BOUNTYCAM_DEMO_PORT=$(free_port) BOUNTYCAM_DEMO_HEADLESS=1 BOUNTYCAM_DEMO_SECONDS=8 \
  timeout 300 "$demo" "$build" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
[ $rc -eq 0 ] && echo "ok 1 - the demo exits 0" || echo "not ok 1 - the demo exits 0 (exit $rc)"
frames=$(sed -n 's/^  requester: \([0-9][0-9]*\) frames received.*/\1/p' "$out")
if [ -n "$frames" ] && [ "$frames" -gt 0 ]; then
  echo "ok 2 - the requester received $frames frames"
else
  echo "not ok 2 - the requester received frames"
fi
grep -q 'outcome: approved' "$out" && echo "ok 3 - the session ended approved" ||
  echo "not ok 3 - the session ended approved"
grep -q 'balances: requester 50 points, streamer 150 points' "$out" &&
  echo "ok 4 - 50 points moved from the requester's escrow to the streamer, once" ||
  echo "not ok 4 - balances after approval"

# A second run, interrupted while the stream runs: nothing it started survives.
port=$(free_port)
BOUNTYCAM_DEMO_PORT=$port BOUNTYCAM_DEMO_HEADLESS=1 BOUNTYCAM_DEMO_SECONDS=60 \
  setsid "$demo" "$build" >"$out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q 'watches for' "$out" && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
sleep 2
# setsid: the demo leads its own process group, as in a terminal; a background
# job ignores SIGINT, so send the group what Ctrl-C would, plus TERM to the
# script in case its INT trap was not installed.
kill -INT -- -$pid 2>/dev/null
kill -TERM $pid 2>/dev/null
for _ in $(seq 150); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
left=$(pgrep -f -- "127.0.0.1:$port" | tr "\n" " " || true)
if ! kill -0 $pid 2>/dev/null && [ -z "$left" ]; then
  echo "ok 5 - an interrupted demo stops everything it started"
else
  echo "not ok 5 - an interrupted demo stops everything it started # left: $pid $left"
  kill -KILL -- -$pid 2>/dev/null
fi
