#!/usr/bin/env bash
# Profiles from the user's side: --profile by name and by path, where profiles are found
# ($XDG_CONFIG_HOME wins over the shipped ones), includes, ${VARIABLES}, precedence against
# the command line, the verbs profile list / show / check / keys, the errors (file:line, did
# you mean, exit 125, nothing left behind) and the warnings; --help and the table in
# docs/profiles.md against the settings table.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
export XDG_CONFIG_HOME=$WORK/config
user_dir=$XDG_CONFIG_HOME/sandbox/profiles
mkdir -p "$user_dir"
cd "$WORK" || exit 1

# --- profile list -------------------------------------------------------------------------------
assert_exit 0 sb profile list
assert_match "$OUT" "^NAME +FROM +DESCRIPTION$" "profile list: a header"
for p in default strict web ci devel; do
        assert_match "$OUT" "^$p +/.*/$p\\.ini +[a-z]" "profile list: $p, its file, its description"
done
cat >"$user_dir/mine.ini" <<'EOF'
# a user's own
[profile]
description = my own profile
include = web
[sandbox]
hostname = mine
EOF
cat >"$user_dir/web.ini" <<'EOF'
[profile]
description = the user's web, on top of the shipped one
include = web
[sandbox]
hostname = userweb
EOF
assert_exit 0 sb profile list
assert_match "$OUT" "^mine +$user_dir/mine\\.ini +my own profile$" "profile list: a user profile"
assert_match "$OUT" "^web +$user_dir/web\\.ini +the user's web" "profile list: the user's web wins"
assert_eq 1 "$(grep -c '^web ' <<<"$OUT")" "profile list: each name once"

# --- --profile by name and by path; includes; the user's profile wins ------------------------
assert_exit 0 sb --profile mine "$img" "$PROBE" hostname
assert_eq mine "$(kv hostname "$OUT")" "--profile NAME: the user's profile applies"
assert_exit 0 sb --profile mine "$img" "$PROBE" mounts
assert_match "$OUT" "^mount=/srv fstype=tmpfs" "include = web by name: the shipped web's /srv"
assert_exit 0 sb --profile web "$img" "$PROBE" hostname
assert_eq userweb "$(kv hostname "$OUT")" "a user's web.ini wins over the shipped one, and can include it"
cat >"$WORK/path.ini" <<'EOF'
[sandbox]
hostname = bypath
[profile]
include = ./sub/extra.ini
EOF
mkdir -p "$WORK/sub"
printf '[environment]\nset = EXTRA=relative-to-the-including-file\n' >"$WORK/sub/extra.ini"
assert_exit 0 sb --profile "$WORK/path.ini" "$img" "$PROBE" env
assert_match "$OUT" "^EXTRA=relative-to-the-including-file$" "an include path is relative to its file"
assert_exit 0 sb --profile ./path.ini "$img" "$PROBE" hostname
assert_eq bypath "$(kv hostname "$OUT")" "--profile ./FILE: a path"
# What runs without --profile: the user's default.ini when there is one.
printf '[profile]\ninclude = default\n[sandbox]\nhostname = mydefault\n' >"$user_dir/default.ini"
assert_exit 0 sb "$img" "$PROBE" hostname
assert_eq mydefault "$(kv hostname "$OUT")" "without --profile, the user's default.ini applies"
rm "$user_dir/default.ini"
assert_exit 0 sb "$img" "$PROBE" hostname
assert_eq sandbox "$(kv hostname "$OUT")" "without it, the shipped default"

# --- precedence: defaults < profile < command line, whatever the order ------------------------
assert_exit 0 sb --hostname cli --profile mine "$img" "$PROBE" hostname
assert_eq cli "$(kv hostname "$OUT")" "an option before --profile still wins over the profile"
assert_exit 0 sb --profile mine --cap-add= --cap-add KILL "$img" "$PROBE" caps
assert_eq 0000000000000020 "$(kv CapEff "$OUT")" "--cap-add= clears the profile's list, then adds"
assert_exit 0 sb --profile mine --tmpfs= "$img" "$PROBE" mounts
assert_no_match "$OUT" "^mount=/srv " "--tmpfs= removes the profile's tmpfs mounts"

# --- ${VARIABLES} -------------------------------------------------------------------------------
mkdir -p "$WORK/here"
echo content >"$WORK/here/file"
cat >"$WORK/vars.ini" <<'EOF'
[filesystem]
ro_bind = ${PWD}/here:/here
[environment]
set = WHO=${USER}:${UID}:${HOME}:$${LITERAL}
EOF
( cd "$WORK" && USER=tester HOME=/home/tester sb --profile ./vars.ini "$img" sh -c 'cat /here/file; echo "$WHO"' ) >"$WORK/out" 2>&1 || true
assert_eq "content
tester:$(id -u):/home/tester:\${LITERAL}" "$(cat "$WORK/out")" '${PWD} ${USER} ${UID} ${HOME} expand, $$ is a $'
printf '[environment]\nset = X=${XDG_RUNTIME_DIR}\n' >"$WORK/runtime.ini"
( unset XDG_RUNTIME_DIR; run sb --profile ./runtime.ini "$img" true; echo "$RC" >"$WORK/rc"; echo "$ERR" >"$WORK/err" )
assert_eq 125 "$(cat "$WORK/rc")" "an unset variable is an error"
assert_contains "$(cat "$WORK/err")" "runtime.ini:2: [environment] set: \${XDG_RUNTIME_DIR} is not set" \
        "an unset variable is named with file:line"

# --- errors: file:line, did you mean, exit 125, nothing run, nothing left --------------------
before=$(host_state)
cat >"$WORK/bad.ini" <<'EOF'
[sandbx]
hostname = x

[capabilities]
keep = NET_BIND

[filesystem]
bindd = /tmp
EOF
assert_exit 125 sb --profile ./bad.ini "$img" "$PROBE" exit 0
assert_contains "$ERR" "sandbox: ./bad.ini:1: unknown section [sandbx] (did you mean [sandbox]?)" \
        "an unknown section: file:line and did you mean"
assert_contains "$ERR" "./bad.ini:5: [capabilities] keep: unknown capability 'net_bind' (did you mean NET_BIND_SERVICE?)" \
        "a bad value: file:line, key, and did you mean"
assert_contains "$ERR" "./bad.ini:8: unknown key 'bindd' in [filesystem] (did you mean 'bind'?)" \
        "an unknown key: did you mean"
assert_contains "$ERR" "./bad.ini: 3 errors; nothing was run" "every error, then a summary"
assert_eq "$before" "$(host_state)" "a bad profile leaves nothing behind"
printf '[profile]\ninclude = cycle-b\n' >"$user_dir/cycle-a.ini"
printf '[profile]\ninclude = cycle-a\n' >"$user_dir/cycle-b.ini"
assert_exit 125 sb --profile cycle-a "$img" true
assert_contains "$ERR" "cycle-b.ini:2: include 'cycle-a': a cycle" "an include cycle is reported where it closes"
printf '[profile]\ninclude = not-there\n' >"$WORK/missing.ini"
assert_exit 125 sb --profile ./missing.ini "$img" true
assert_contains "$ERR" "missing.ini:2: include 'not-there': no such profile" "a missing include"
assert_exit 125 sb --profile no-such-profile "$img" true
assert_contains "$ERR" "no profile named 'no-such-profile'" "a missing profile"
assert_exit 125 sb --profile a --profile b "$img" true
assert_contains "$ERR" "--profile given twice" "--profile twice"

# --- warnings: valid but dangerous -----------------------------------------------------------
printf '[filesystem]\nro_bind = /:/host\n[seccomp]\nenabled = no\n' >"$WORK/danger.ini"
assert_exit 0 sb --profile ./danger.ini "$img" true
assert_contains "$ERR" "sandbox: warning: ./danger.ini:2: [filesystem] ro_bind: ro_bind / exposes the host's whole file system" \
        "a dangerous mount warns with file:line"
assert_contains "$ERR" "sandbox: warning: ./danger.ini:4: [seccomp] enabled: no seccomp filter" \
        "no seccomp filter warns"

# --- profile show -----------------------------------------------------------------------------
assert_exit 0 sb profile show web
assert_match "$OUT" "^\\[filesystem\\]$" "profile show: INI sections"
assert_match "$OUT" "^tmpfs = /srv:mode=1777$" "profile show web: web's /srv (through the user's web)"
assert_match "$OUT" "^hostname = userweb$" "profile show: the merged value"
assert_exit 0 sb profile show web --hostname from-cli --bind "$WORK/here:/x"
assert_match "$OUT" "^hostname = from-cli$" "profile show NAME OPTIONS: the command line is merged"
assert_match "$OUT" "^bind = $WORK/here:/x$" "profile show: a bind from the command line"
assert_exit 0 sb profile show --profile strict
assert_match "$OUT" "^read_only = yes$" "profile show with --profile"
assert_exit 0 sb profile show
assert_match "$OUT" "^# sandbox profile show default" "profile show without a name: default"
# What profile show prints is a profile that gives the same sandbox.
sb profile show web >"$WORK/saved.ini"
assert_exit 0 sb profile check "$WORK/saved.ini"
assert_exit 0 sb --profile "$WORK/saved.ini" --user 1000 "$img" "$PROBE" caps
saved_caps=$OUT
assert_exit 0 sb --profile web --user 1000 "$img" "$PROBE" caps
assert_eq "$OUT" "$saved_caps" "the saved output of profile show gives the same capabilities"
assert_exit 0 sb --profile "$WORK/saved.ini" "$img" "$PROBE" hostname
assert_eq userweb "$(kv hostname "$OUT")" "the saved output keeps the hostname"
assert_exit 125 sb profile show web --profile strict
assert_contains "$ERR" "not both" "profile show NAME with --profile is refused"

# --- profile check ------------------------------------------------------------------------------
for p in default strict web ci devel; do
        assert_exit 0 sb profile check "$p"
        assert_eq "$p: ok" "$OUT" "profile check $p: ok"
done
assert_exit 1 sb profile check ./bad.ini
assert_contains "$ERR" "./bad.ini:1: unknown section" "profile check: the errors, exit 1"
assert_exit 1 sb profile check ./nothing-here.ini
assert_contains "$ERR" "nothing-here.ini" "profile check of a missing file: exit 1, named"
assert_exit 125 sb profile check
assert_contains "$ERR" "profile check FILE" "profile check without FILE: usage, 125"
assert_exit 125 sb profile frobnicate
assert_contains "$ERR" "list, show, check, keys" "an unknown profile verb"

# --- the table: --help, profile keys, docs/profiles.md ------------------------------------------
assert_exit 0 sb profile keys
keys=$OUT
assert_exit 0 sb --help
help=$OUT
options=$(grep -o '| `--[a-z-]*' <<<"$keys" | sed 's/^| `//' | sort -u)
missing=""
for o in $options; do
        grep -q -- "$o" <<<"$help" || missing="$missing $o"
done
assert_eq "" "$missing" "--help lists every option of the table ($(wc -w <<<"$options") options)"
readme=$SANDBOX_SRC_DIR/docs/profiles.md
if [ -f "$readme" ]; then
        table=$(sed -n '/<!-- profile keys: begin -->/,/<!-- profile keys: end -->/p' "$readme" | sed '1d;$d')
        assert_eq "$keys" "$table" "docs/profiles.md has the table sandbox profile keys prints"
else
        fail "docs/profiles.md exists" "got: no $readme"
fi
