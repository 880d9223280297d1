#!/bin/sh
# Runs a UI test under its own X server (Xvfb), session bus and keyring, with
# a private home directory, so tests never touch the user's desktop or login.
# Usage: run-with-display.sh PROGRAM [ARGS...]
set -u

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bountycam-app-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
chmod 700 "$tmp/run"
export HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export GSK_RENDERER="${GSK_RENDERER:-cairo}" GTK_A11Y=none NO_AT_BRIDGE=1

# xvfb-run -a looks for a free display from -n upwards; starting each test at
# a different number keeps parallel tests from racing for the same one.
start=$((100 + $$ % 800))

xvfb-run -a -n "$start" -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- sh -c '
    # A keyring unlocked with a throwaway password, for libsecret.
    printf "bountycam-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    exec "$@"' sh "$@"
