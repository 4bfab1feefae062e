#!/usr/bin/env bash
# The man page sandbox(1), built from doc/sandbox.1.in and the settings table: `man ./sandbox.1`
# renders it without a warning, and it covers every option of --help, every verb, every profile
# key, the exit codes and the environment; the install target puts it and the three completions
# where man, bash, zsh and fish look.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox
command -v man >/dev/null || skip "no man (man-db; tools/setup-debian.sh installs it)"

page=$SANDBOX_BUILD_DIR/sandbox.1
[ -f "$page" ] || { fail "the build generates sandbox.1"; exit 1; }
cd "$WORK" || exit 1
cp "$page" ./sandbox.1

rendered=$(MANWIDTH=100 man --warnings ./sandbox.1 2>"$WORK/man.err" | col -bx)
assert_eq "" "$(cat "$WORK/man.err")" "man ./sandbox.1 renders without a warning"
assert_match "$rendered" '^SANDBOX\(1\) +User Commands' "the page renders with its header"
for section in NAME SYNOPSIS DESCRIPTION VERBS OPTIONS 'PROFILE KEYS' 'EXIT STATUS' ENVIRONMENT FILES DEBUGGING; do
        assert_match "$rendered" "^$section\$" "section $section"
done

# Every option of --help, with its short form and its argument.
help=$("$SANDBOX" --help)
missing=""
while read -r opt; do
        [ -n "$opt" ] || continue
        grep -qE -- "^ +(-[a-zA-Z], )?$opt( |\\[|\$)" <<<"$rendered" || missing="$missing $opt"
done < <(grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' <<<"$help" | grep -oE -- '--[a-z-]+')
assert_eq "" "$missing" "every option of --help has an entry ($(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' <<<"$help") options)"
while read -r short long; do
        assert_match "$rendered" "^ +$short $long" "$long is listed with its short form ${short%,}"
done < <(grep -oE '^ +-[a-zA-Z], --[a-z-]+' <<<"$help" | head -n 3)

# Every verb, as an entry of VERBS.
verbs=$(sed -n 's/.*These words are verbs, not image names: //p' <<<"$help" | tr -d ',')
verbs_section=$(sed -n '/^VERBS$/,/^OPTIONS$/p' <<<"$rendered")
for verb in $verbs; do
        assert_match "$verbs_section" "^ +$verb( |\$)" "the verb $verb has an entry"
done

# Every profile key that an option names is an entry of PROFILE KEYS.
keys=$(grep -oE 'Profile key: \[[a-z_]+\] [a-z_]+' <<<"$rendered" | sed 's/Profile key: //' | sort -u)
keys_section=$(sed -n '/^PROFILE KEYS$/,/^EXIT STATUS$/p' <<<"$rendered")
assert_ne "" "$keys" "options name their profile keys"
while read -r section key; do
        sect=$(sed -n "/^   $(sed 's/[][]/\\&/g' <<<"$section")\$/,/^   \\[/p" <<<"$keys_section")
        assert_match "$sect" "^ +$key = " "profile key $section $key has an entry in its section"
done <<<"$keys"

for code in 125 126 127 '128\+N'; do
        assert_match "$rendered" "^ +$code " "exit status $code is explained"
done
for var in XDG_CACHE_HOME XDG_RUNTIME_DIR XDG_CONFIG_HOME HOME PATH; do
        assert_match "$rendered" "^ +$var" "environment variable $var is explained"
done
assert_contains "$rendered" "set sysroot /proc/PID/root" "the debugging recipe is in the page"

# --- the install target --------------------------------------------------------------------------
# DESTDIR: every path lands in the scratch directory, the helpers' absolute one too. cmake then
# fails to write its manifest into the (read-only) build tree, after installing everything.
if command -v cmake >/dev/null; then
        DESTDIR=$WORK/destdir cmake --install "$SANDBOX_BUILD_DIR" --prefix /usr >"$WORK/install.log" 2>&1 || true
        inst=$WORK/destdir/usr
        assert_file_present "$inst/bin/sandbox" "install: the launcher"
        assert_file_present "$inst/share/man/man1/sandbox.1" "install: the man page"
        assert_file_present "$inst/share/bash-completion/completions/sandbox" "install: the bash completion"
        zsh_file=$(find "$inst/share/zsh" -name _sandbox 2>/dev/null | head -n 1)
        assert_ne "" "$zsh_file" "install: the zsh completion (${zsh_file#"$inst/"})"
        assert_file_present "$inst/share/fish/vendor_completions.d/sandbox.fish" "install: the fish completion"
        assert_eq "" "$(MANWIDTH=100 man --warnings -l "$inst/share/man/man1/sandbox.1" 2>&1 >/dev/null)" \
                "the installed page renders"
        assert_true "the installed bash completion loads" \
                bash -c "source '$inst/share/bash-completion/completions/sandbox' && complete -p sandbox"
        if command -v zsh >/dev/null; then
                assert_true "the installed zsh completion loads" \
                        zsh -fc "fpath=('$(dirname "$zsh_file")' \$fpath); autoload -Uz compinit; compinit -u -D; [[ \${_comps[sandbox]} == _sandbox ]]"
        fi
        if command -v fish >/dev/null; then
                assert_true "the installed fish completion loads" \
                        fish --no-config -c "source '$inst/share/fish/vendor_completions.d/sandbox.fish'; complete -c sandbox | grep -q stop-at-entry"
        fi
else
        note "no cmake: the install target is not checked"
fi
