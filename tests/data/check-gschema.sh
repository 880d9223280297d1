#!/usr/bin/env bash
# The compiled schema in the build directory has the keys and defaults the app
# relies on, and refuses a codec it does not know. Usage: check-gschema.sh SCHEMA_DIR
set -u
dir=$1
export GSETTINGS_BACKEND=memory
schema=app.bountycam.BountyCam
gs() { gsettings --schemadir "$dir" "$@"; }
expected=(
  "server-url 'http://127.0.0.1:8080'"
  "default-camera ''"
  "codec 'h264'"
  "low-latency true"
  "window-width 1100"
  "window-height 760"
  "window-maximized false"
)
echo "1..$(( ${#expected[@]} + 2 ))"
n=0; fail=0
for line in "${expected[@]}"; do
  n=$((n + 1))
  key=${line%% *}; want=${line#* }
  got=$(gs get "$schema" "$key" 2>&1)
  if [ "$got" = "$want" ]; then echo "ok $n - $key defaults to $want"
  else echo "not ok $n - $key defaults to $want # got: $got"; fail=1; fi
done
n=$((n + 1))
if gs range "$schema" codec | grep -q "'vp8'" && gs set "$schema" codec vp8 2>/dev/null; then
  echo "ok $n - codec accepts vp8"
else echo "not ok $n - codec accepts vp8"; fail=1; fi
n=$((n + 1))
if gs set "$schema" codec "'av1'" 2>/dev/null; then
  echo "not ok $n - codec refuses av1"; fail=1
else echo "ok $n - codec refuses av1"; fi
exit $fail
