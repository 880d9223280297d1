#!/usr/bin/env bash
# systemd-analyze verify on the server's unit, with ExecStart pointing at the
# built server (or /bin/true before the server exists), plus the sandboxing
# options the unit promises. Skips when systemd-analyze is missing.
# Usage: check-systemd-unit.sh UNIT_IN BUILD_ROOT   (prints TAP)
set -u
unit_in=$1
build=$2
echo "1..2"

missing=()
for opt in 'DynamicUser=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
           'NoNewPrivileges=yes' 'StateDirectory=bountycam' 'RestrictAddressFamilies=' \
           'SystemCallFilter=@system-service' 'EnvironmentFile=' 'CapabilityBoundingSet='; do
  grep -q "^$opt" "$unit_in" || missing+=("$opt")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "ok 1 - sandboxing options present"
else
  echo "not ok 1 - sandboxing options present # missing: ${missing[*]}"
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "ok 2 # SKIP systemd-analyze not installed"
  [ ${#missing[@]} -eq 0 ]; exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
server="$build/src/server/bountycam-server"
[ -x "$server" ] || server=/bin/true
# verify needs the EnvironmentFile only at start, not to parse; the unit's
# name must end in .service.
sed "s|@bindir@/bountycam-server|$server|" "$unit_in" > "$tmp/bountycam-server.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/bountycam-server.service" 2>&1)
rc=$?
# Unknown keys and bad values are only warnings for systemd, but errors for us.
# In containers without systemd as PID 1, verify may also complain about the
# host's own units; only messages about our unit count.
ours=$(echo "$out" | grep -F 'bountycam-server.service' || true)
if [ $rc -eq 0 ] && [ -z "$ours" ]; then
  echo "ok 2 - systemd-analyze verify"
elif [ -z "$ours" ]; then
  echo "ok 2 - systemd-analyze verify # only unrelated host messages (exit $rc)"
else
  echo "not ok 2 - systemd-analyze verify"; echo "$out" | sed 's/^/# /'
  exit 1
fi
[ ${#missing[@]} -eq 0 ]
