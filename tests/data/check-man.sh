#!/usr/bin/env bash
# A man page renders with groff's warnings on and no warning at all.
set -u
out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$1" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "$1: groff reported problems:"; echo "$out"; exit 1
fi
grep -q '^\.SH NAME' "$1" && grep -q '^\.SH SYNOPSIS' "$1" && grep -q '^\.SH DESCRIPTION' "$1" || {
  echo "$1: needs NAME, SYNOPSIS and DESCRIPTION sections"; exit 1; }
