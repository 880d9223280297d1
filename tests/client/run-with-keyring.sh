#!/usr/bin/env bash
# Runs a test inside a private D-Bus session with a fresh, unlocked
# gnome-keyring, so libsecret has a Secret Service and nothing touches the
# user's own keyring. Without dbus-run-session or gnome-keyring-daemon the
# test runs without one (and skips what needs it).
set -u
if [ "${BC_IN_KEYRING_SESSION:-}" = 1 ]; then
  home=$(mktemp -d)
  trap 'kill "$keyring_pid" 2>/dev/null; rm -rf "$home"' EXIT
  export HOME="$home" XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home"
  mkdir -p "$XDG_DATA_HOME"
  # --unlock reads the new keyring's password from stdin; --foreground keeps
  # it our child so the trap can end it.
  # Its own harmless warnings must not be fatal, as G_DEBUG asks of our code.
  printf 'bountycam-test' | env -u G_DEBUG gnome-keyring-daemon --foreground --unlock --components=secrets \
    > "$home/keyring.out" 2>&1 &
  keyring_pid=$!
  for _ in $(seq 1 100); do
    gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
      --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null \
      | grep -q true && break
    sleep 0.1
  done
  "$@"
  exit $?
fi
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  BC_IN_KEYRING_SESSION=1 exec dbus-run-session -- "$0" "$@"
fi
export BC_NO_SECRET_SERVICE="dbus-run-session or gnome-keyring-daemon is not installed"
exec "$@"
