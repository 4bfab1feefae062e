#!/usr/bin/env bash
# The bash, zsh and fish completions, generated from the settings table at build time, load in
# an interactive shell in a pty and offer the right words on Tab: the verbs, every option that
# --help lists, an option's values, image paths (tarballs and directories, not other files),
# the ids and names of running sandboxes, profile names, signals.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

comp=$SANDBOX_BUILD_DIR/completions
for f in sandbox.bash _sandbox sandbox.fish; do
        [ -f "$comp/$f" ] || { fail "the build generates completions/$f"; exit 1; }
done

root=$WORK/root
busybox_probe_image "$root"
cd "$WORK" || exit 1
make_tar "$root" "$WORK/img.tar.gz"
mkdir -p "$WORK/imgdir"
echo notes >"$WORK/imgnotes.txt" # a file, not an image: never offered as one
export XDG_CONFIG_HOME=$WORK/config
mkdir -p "$XDG_CONFIG_HOME/sandbox/profiles"
printf '[sandbox]\nhostname = x\n' >"$XDG_CONFIG_HOME/sandbox/profiles/mytestprofile.ini"
# The completions run `sandbox ps` of the sandbox on the command line: this build's.
mkdir -p "$WORK/bin"
ln -s "$SANDBOX" "$WORK/bin/sandbox"
export PATH=$WORK/bin:$PATH

# Every long option of --help, the one settings table's own listing.
options=$("$SANDBOX" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' | sort -u)
verbs=$("$SANDBOX" --help | sed -n 's/.*These words are verbs, not image names: //p' | tr -d ',')
assert_ne "" "$options" "--help lists options"
assert_contains "$verbs" "enter" "--help lists the verbs"

sb_bg "$WORK/run.out" "$WORK/run.err" --name compl "$WORK/img.tar.gz" "$PROBE" sleep 120
wait_until 20 sh -c "'$SANDBOX' ps --format names | grep -qx compl" || fail "a sandbox runs for the completion of ids"
id=$("$SANDBOX" ps -q | head -n 1)

cases=$WORK/cases.json
python3 - "$cases" "$options" "$verbs" "$id" <<'PY'
import json, sys
out, options, verbs, sid = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4]
cases = [
    {"desc": "verbs", "type": "list", "typed": "sandbox ", "want": verbs},
    {"desc": "every option of --help", "type": "list", "typed": "sandbox --", "want": options},
    {"desc": "a unique option", "type": "line", "typed": "sandbox --stop-at", "want": ["sandbox --stop-at-entry"]},
    {"desc": "an option's values", "type": "list", "typed": "sandbox --limits ", "want": ["strict", "best-effort"]},
    {"desc": "image paths", "type": "list", "typed": "sandbox --user 0 ./img",
     "want": ["img.tar.gz", "imgdir"], "unwanted": ["imgnotes.txt"]},
    {"desc": "an image path", "type": "line", "typed": "sandbox ./img.t", "want": ["sandbox ./img.tar.gz"]},
    {"desc": "running sandboxes for stop", "type": "list", "typed": "sandbox stop ", "want": ["compl", sid]},
    {"desc": "running sandboxes for enter", "type": "list", "typed": "sandbox enter ", "want": ["compl", sid]},
    {"desc": "a running sandbox by name", "type": "line", "typed": "sandbox inspect com", "want": ["sandbox inspect compl"]},
    {"desc": "signals for kill", "type": "list", "typed": "sandbox kill compl ", "want": ["TERM", "KILL", "HUP"]},
    {"desc": "ps formats", "type": "list", "typed": "sandbox ps --format ", "want": ["table", "json", "ids", "names"]},
    {"desc": "profile actions", "type": "list", "typed": "sandbox profile ", "want": ["list", "show", "check"]},
    {"desc": "profile names", "type": "list", "typed": "sandbox profile show ", "want": ["mytestprofile"]},
]
json.dump(cases, open(out, "w"))
PY

for shell in bash zsh fish; do
        case $shell in
        bash) file=$comp/sandbox.bash ;;
        zsh) file=$comp/_sandbox ;;
        fish) file=$comp/sandbox.fish ;;
        esac
        if ! command -v "$shell" >/dev/null; then
                fail "$shell is installed (tools/setup-debian.sh installs bash, zsh and fish)"
                continue
        fi
        rc=0
        timeout 300 python3 "$TESTS_LIB/complete.py" "$shell" "$file" "$cases" >"$WORK/$shell.out" 2>&1 || rc=$?
        cat "$WORK/$shell.out"
        T_CHECKS=$((T_CHECKS + $(grep -c -e '^ok - ' -e '^FAIL - ' "$WORK/$shell.out" || true)))
        T_FAILED=$((T_FAILED + $(grep -c '^FAIL - ' "$WORK/$shell.out" || true)))
        if [ "$rc" -ne 0 ] && ! grep -q '^FAIL - ' "$WORK/$shell.out"; then
                fail "$shell: the pty driver ran to the end" "status $rc"
        fi
done
kill -TERM "$SB_PID" 2>/dev/null || true
wait "$SB_PID" 2>/dev/null || true
