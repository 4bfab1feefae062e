#!/usr/bin/env bash
# run-as.sh [--env VAR=value]... ROLE COMMAND [ARG...]
#
# Runs a test body as an unprivileged user of the given role, never as root.
#   ROLE test     a user with a /etc/subuid and /etc/subgid range (as root: sandbox-test)
#   ROLE norange  a user with no /etc/subuid or /etc/subgid entry (as root: sandbox-norange)
#   ROLE any      any unprivileged user (as root: sandbox-test)
#
# As root: the command runs as that user through setpriv (no PAM, no login session) with a
# clean environment: HOME, USER, LOGNAME, PATH=/usr/local/bin:/usr/bin:/bin, TERM, LANG=C.UTF-8,
# a fresh TMPDIR and XDG_CACHE_HOME in a scratch directory the user owns, SANDBOX_ROLE, and the
# --env variables (which may override XDG_CACHE_HOME). Root removes the scratch directory after.
# As a normal user: the command runs as that user, in its own environment plus the same
# scratch TMPDIR, XDG_CACHE_HOME, SANDBOX_ROLE and --env variables; a user who does not fit
# the role makes the test skip (exit 77) with the reason.
# Either way the command starts in the scratch directory ($TMPDIR/..), and its exit status is
# returned. SANDBOX_KEEP_TMP=1 keeps the scratch directory and prints where it is.
set -u

die() {
        echo "run-as: $*" >&2
        exit 1
}
skip() {
        echo "SKIP: $*"
        exit 77
}

envs=()
while [ $# -gt 0 ]; do
        case $1 in
        --env)
                [ $# -ge 2 ] || die "--env needs VAR=value"
                case $2 in *=*) ;; *) die "--env '$2' is not VAR=value" ;; esac
                envs+=("$2")
                shift 2
                ;;
        *) break ;;
        esac
done
[ $# -ge 2 ] || die "usage: run-as.sh [--env VAR=value]... test|norange|any COMMAND [ARG...]"
role=$1
shift
case $role in test | norange | any) ;; *) die "unknown role '$role' (test, norange, any)" ;; esac

# Whether USER (name) or UID has an entry in a subordinate-id FILE.
has_subids() { # FILE NAME UID
        [ -r "$1" ] && grep -qE "^($2|$3):[0-9]+:[1-9]" "$1"
}

if [ "$(id -u)" -eq 0 ]; then
        case $role in
        norange) user=sandbox-norange ;;
        *) user=sandbox-test ;;
        esac
        uid=$(id -u "$user" 2>/dev/null) ||
                die "no user $user: run tools/setup-debian.sh as root first"
        gid=$(id -g "$user")
        if [ "$uid" -eq 0 ] || [ "$gid" -eq 0 ]; then
                die "refusing: $user has uid or gid 0"
        fi
        if [ "$role" = norange ]; then
                if has_subids /etc/subuid "$user" "$uid" || has_subids /etc/subgid "$user" "$uid"; then
                        die "$user has a /etc/subuid or /etc/subgid entry; run tools/setup-debian.sh"
                fi
        elif ! has_subids /etc/subuid "$user" "$uid" || ! has_subids /etc/subgid "$user" "$uid"; then
                die "$user has no /etc/subuid and /etc/subgid range; run tools/setup-debian.sh"
        fi
        home=$(getent passwd "$user" | cut -d: -f6)
        scratch=$(mktemp -d "${SANDBOX_TEST_TMPROOT:-/tmp}/sandbox-test.XXXXXX") || die "mktemp failed"
        mkdir -p "$scratch/tmp" "$scratch/cache"
        chown -R "$uid:$gid" "$scratch"
        chmod 700 "$scratch"
        # shellcheck disable=SC2317 # called by the EXIT trap
        cleanup() {
                if [ "${SANDBOX_KEEP_TMP:-0}" = 1 ]; then
                        echo "run-as: kept $scratch" >&2
                else
                        rm -rf --one-file-system "$scratch"
                fi
        }
        trap cleanup EXIT
        env=(HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin
                TERM="${TERM:-dumb}" LANG=C.UTF-8 TMPDIR="$scratch/tmp"
                XDG_CACHE_HOME="$scratch/cache" SANDBOX_ROLE="$role" "${envs[@]}")
        cd "$scratch" || die "cannot enter $scratch"
        # setpriv sets all three uids and gids and the user's supplementary groups, and with
        # them gone the capability sets too; bounding set and no_new_privs stay as they are,
        # since the launcher needs the setuid newuidmap. It runs in the foreground: a
        # background job of a script would start with SIGINT and SIGQUIT ignored.
        env -i "${env[@]}" setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
                sh -c '[ "$(id -u)" != 0 ] || { echo "run-as: still root" >&2; exit 1; }; exec "$@"' \
                run-as "$@"
        exit $?
fi

# Not root.
me=$(id -un)
myuid=$(id -u)
case $role in
test)
        if ! has_subids /etc/subuid "$me" "$myuid" || ! has_subids /etc/subgid "$me" "$myuid"; then
                skip "user $me has no /etc/subuid and /etc/subgid range; this test needs one (run the suite as root to use sandbox-test)"
        fi
        ;;
norange)
        if has_subids /etc/subuid "$me" "$myuid" || has_subids /etc/subgid "$me" "$myuid"; then
                skip "user $me has a /etc/subuid range; this test needs a user without one (run the suite as root to use sandbox-norange)"
        fi
        ;;
esac
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-test.XXXXXX") || die "mktemp failed"
mkdir -p "$scratch/tmp" "$scratch/cache"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
        if [ "${SANDBOX_KEEP_TMP:-0}" = 1 ]; then
                echo "run-as: kept $scratch" >&2
                return
        fi
        chmod -R u+rwX "$scratch" 2>/dev/null
        rm -rf "$scratch" 2>/dev/null ||
                # Files the launcher created under subordinate ids: remove them from a user
                # namespace that maps those ids.
                unshare --map-auto --map-root-user rm -rf "$scratch" 2>/dev/null ||
                echo "run-as: could not remove $scratch" >&2
}
trap cleanup EXIT
cd "$scratch" || die "cannot enter $scratch"
env TMPDIR="$scratch/tmp" XDG_CACHE_HOME="$scratch/cache" SANDBOX_ROLE="$role" "${envs[@]}" "$@"
