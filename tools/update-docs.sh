#!/usr/bin/env bash
# Regenerates the parts of the docs that come from the settings table (src/schema.c): the table
# of profile keys between the "profile keys" markers. Run after adding a setting:
#   tools/update-docs.sh [BUILD_DIR]     (default ./build; builds it if needed)
# tests/e2e/profiles.sh fails while the docs and the table disagree.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$src/build}
[ -x "$build/sandbox" ] || { cmake -S "$src" -B "$build" -DSANDBOX_TESTS=OFF >/dev/null && cmake --build "$build" -j2 >/dev/null; }
keys=$("$build/sandbox" profile keys)
for doc in "$src/README.md" "$src"/docs/*.md; do
        [ -f "$doc" ] && grep -q '<!-- profile keys: begin -->' "$doc" || continue
        KEYS=$keys perl -0pi -e 's/(<!-- profile keys: begin -->\n).*?(\n<!-- profile keys: end -->)/$1$ENV{KEYS}$2/s' "$doc"
        echo "update-docs.sh: $doc"
done
