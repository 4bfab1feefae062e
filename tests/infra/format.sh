#!/usr/bin/env bash
# The C sources follow the repository's .clang-format: the same check a reviewer would run,
# over every .c and .h of src/, helpers/ and tests/.
source "$(dirname "$0")/../lib/common.sh"

command -v clang-format >/dev/null || skip "clang-format is not installed (tools/setup-debian.sh installs it)"
mapfile -t files < <(cd "$SANDBOX_SRC_DIR" && find src helpers tests -name '*.[ch]' | sort)
[ "${#files[@]}" -gt 50 ] || fail "the C sources are found" "got only ${#files[@]} files under $SANDBOX_SRC_DIR"
run bash -c 'cd "$1" && shift && clang-format --dry-run -Werror "$@"' _ "$SANDBOX_SRC_DIR" "${files[@]}"
assert_rc 0 "every C file is clang-formatted (fix: clang-format -i FILE)"
