#!/usr/bin/env bash
# Checks what .editorconfig and .clang-format ask of every tracked source file:
# clang-format's layout for C, LF endings, no tabs (but in Makefiles), no
# trailing whitespace, a final newline.
set -u
root=${1:-.}
cd "$root" || exit 1
fail=0

mapfile -t files < <(git ls-files 2>/dev/null || find . -type f -not -path './build*')
c_files=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  case "$f" in
    *.png|*.svg|*.ico|*.po|*.pot|package-lock.json|*/corpus/*|*/fuzz-corpus/*) continue ;;
  esac
  case "$f" in
    *.c|*.h) c_files+=("$f") ;;
  esac
  if grep -q $'\r' "$f"; then echo "$f: CRLF line endings"; fail=1; fi
  case "$f" in
    Makefile|*.md) ;;
    *) if grep -nq $'\t' "$f"; then echo "$f:$(grep -n $'\t' "$f" | head -1 | cut -d: -f1): tab character"; fail=1; fi ;;
  esac
  case "$f" in
    *.md) ;;
    *) if grep -nqE '[[:space:]]+$' "$f"; then echo "$f:$(grep -nE '[[:space:]]+$' "$f" | head -1 | cut -d: -f1): trailing whitespace"; fail=1; fi ;;
  esac
  if [ -s "$f" ] && [ -n "$(tail -c1 "$f")" ]; then echo "$f: no final newline"; fail=1; fi
done

if [ ${#c_files[@]} -gt 0 ]; then
  if ! command -v clang-format >/dev/null; then
    echo "clang-format is not installed"; exit 1
  fi
  # Generated protobuf code is not ours and is not in the tree.
  if ! clang-format --dry-run --Werror "${c_files[@]}" 2> /tmp/bc-style.$$; then
    head -40 /tmp/bc-style.$$
    echo "Run: clang-format -i \$(git ls-files '*.c' '*.h')"
    fail=1
  fi
  rm -f /tmp/bc-style.$$
fi

if [ $fail -ne 0 ]; then
  echo "not ok 1 - style"
  exit 1
fi
echo "ok - ${#files[@]} files follow .editorconfig and .clang-format"
