#!/usr/bin/env bash
# run-under-xvfb.sh PROGRAM [ARGS...]
# Runs PROGRAM on a private Xvfb display, in a D-Bus session of its own and
# with throw-away XDG directories, then stops everything it started.
# Exits 77 (skip) when Xvfb or dbus-run-session is missing.
set -u
for tool in Xvfb dbus-run-session; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed"
    exit 77
  fi
done
tmp=$(mktemp -d)
xvfb_pid=
cleanup() {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# -displayfd picks a free display number itself, so parallel tests never clash.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 300); do
  [ -s "$tmp/display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$tmp/display" ]; then
  echo "Bail out! Xvfb did not start"
  sed 's/^/# /' "$tmp/xvfb.log"
  exit 1
fi

mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"
DISPLAY=":$(head -1 "$tmp/display")"
export DISPLAY
export GDK_BACKEND=x11
export HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache
export XDG_RUNTIME_DIR=$tmp/runtime
# The cairo renderer: no GL under Xvfb, and cheap on a loaded machine.
export GSK_RENDERER=${GSK_RENDERER:-cairo} GTK_A11Y=none NO_AT_BRIDGE=1
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
# A throw-away keyring for libsecret: an unencrypted "login" keyring file,
# so that storing a secret never asks for a password (there is no prompter).
mkdir -p "$XDG_DATA_HOME/keyrings"
printf '[keyring]\ndisplay-name=login\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n' \
  >"$XDG_DATA_HOME/keyrings/login.keyring"
echo login >"$XDG_DATA_HOME/keyrings/default"
dbus-run-session -- sh -c '
  if command -v gnome-keyring-daemon >/dev/null 2>&1; then
    eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)"
    export GNOME_KEYRING_CONTROL
  fi
  exec "$@"' sh "$@"
