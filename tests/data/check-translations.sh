#!/usr/bin/env bash
# Every language in po/LINGUAS is complete: msgfmt --check passes and reports
# no untranslated or fuzzy message, both for the .po as committed and after
# merging it with a template freshly extracted from the sources (so a string
# added to the code without a translation fails here).
# Usage: check-translations.sh SOURCE_ROOT   (prints TAP)
set -u
root=$1
po="$root/po"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t langs < <(grep -vE '^\s*(#|$)' "$po/LINGUAS" | tr ' ' '\n' | grep -v '^$')
echo "1..$(( ${#langs[@]} * 2 + 1 ))"
n=0

# The same keywords as meson's i18n 'glib' preset.
n=$((n + 1))
if (cd "$root" && grep -vE '^\s*(#|$)' po/POTFILES.in > "$tmp/potfiles" &&
    xgettext --package-name=bountycam --from-code=UTF-8 --add-comments \
      --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
      --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
      --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
      --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
      --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
      --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
      --flag=g_markup_printf_escaped:1:c-format \
      -f "$tmp/potfiles" -o "$tmp/bountycam.pot" 2> "$tmp/xgettext.log"); then
  echo "ok $n - template extracted from $(wc -l < "$tmp/potfiles") files ($(grep -c '^msgid ' "$tmp/bountycam.pot") messages)"
else
  echo "not ok $n - xgettext failed"; sed 's/^/# /' "$tmp/xgettext.log"
fi

fail=0
for lang in "${langs[@]}"; do
  for kind in committed current; do
    n=$((n + 1))
    file="$po/$lang.po"
    if [ "$kind" = current ]; then
      if [ ! -s "$tmp/bountycam.pot" ] ||
         ! msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$file" "$tmp/bountycam.pot" 2>/dev/null; then
        echo "not ok $n - $lang.po merges with the current sources"; fail=1; continue
      fi
      file="$tmp/$lang.po"
    fi
    if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$file" 2>&1); then
      echo "not ok $n - $lang.po ($kind) passes msgfmt --check"; echo "$stats" | sed 's/^/# /'; fail=1
    elif echo "$stats" | grep -qE 'untranslated|fuzzy'; then
      echo "not ok $n - $lang.po ($kind) is complete # $stats"
      if [ "$kind" = current ]; then
        LC_ALL=C msgattrib --untranslated --only-fuzzy -o - "$file" 2>/dev/null | grep '^msgid' | head -20 | sed 's/^/# needs translation: /'
        LC_ALL=C msgattrib --untranslated -o - "$file" 2>/dev/null | grep '^msgid' | head -20 | sed 's/^/# needs translation: /'
      fi
      fail=1
    else
      echo "ok $n - $lang.po ($kind) is complete # $stats"
    fi
  done
done
exit $fail
