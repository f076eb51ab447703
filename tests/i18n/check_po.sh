#!/usr/bin/env bash
# The Chinese translation is complete: every string the code marks for
# translation is in po/zh_CN.po, translated, not fuzzy, and msgfmt -c
# accepts it (format strings match).
set -euo pipefail
src=${OW_SRC_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
git ls-files '*.c' '*.h' 2>/dev/null > "$tmp/files" || find common forms node replication tui tests -name '*.[ch]' > "$tmp/files"
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
  --keyword=_n:1,2 -f "$tmp/files" -o "$tmp/all.pot"
msgfmt -c -o /dev/null po/zh_CN.po
missing=$(msgcmp po/zh_CN.po "$tmp/all.pot" 2>&1 | grep -c 'this message is used but not defined' || true)
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null po/zh_CN.po 2>&1)
untranslated=$(echo "$stats" | sed -n 's/.* \([0-9]*\) untranslated.*/\1/p')
fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9]*\) fuzzy.*/\1/p')
untranslated=${untranslated:-0}
fuzzy=${fuzzy:-0}
total=$(grep -c '^msgid ' "$tmp/all.pot" || true)
echo "po/zh_CN.po: $total strings in the code; $missing missing, $untranslated untranslated, $fuzzy fuzzy"
if [ "$missing" -ne 0 ]; then
  msgcmp po/zh_CN.po "$tmp/all.pot" 2>&1 | head -20 || true
fi
[ "$missing" -eq 0 ] && [ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ]
