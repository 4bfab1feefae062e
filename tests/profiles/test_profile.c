/* Unit tests of profiles: the INI parser (inih) and the settings table, includes and their
 * cycles, ${VARIABLE} expansion, precedence (defaults < profile < command line), list rules,
 * mount order, the warnings, `profile show` round trips, and every error message. Runs
 * unprivileged; writes only in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../unit/check.h"
#include "cli.h"
#include "config.h"
#include "mountspec.h"
#include "profile.h"
#include "schema.h"
#include "seccomp_rules.h"
#include "util.h"

static char tmp[256];
static struct profile_ctx ctx;

static void write_text(const char *name, const char *text)
{
        char path[512];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", tmp, name);
        f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                abort();
}

/* Runs fn with stderr going to a file; returns what it printed (caller frees). */
static char *captured;
static int capture_begin(void)
{
        char path[512];
        int fd, saved = dup(2);
        snprintf(path, sizeof path, "%s/.stderr", tmp);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || saved < 0 || dup2(fd, 2) < 0)
                abort();
        close(fd);
        return saved;
}

static void capture_end(int saved)
{
        char path[512];
        FILE *f;
        long n;
        snprintf(path, sizeof path, "%s/.stderr", tmp);
        dup2(saved, 2);
        close(saved);
        free(captured);
        f = fopen(path, "re");
        if (!f)
                abort();
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        captured = xcalloc((size_t)n + 1, 1);
        if (fread(captured, 1, (size_t)n, f) != (size_t)n)
                abort();
        fclose(f);
}

#define CHECK_HAS(text, needle)                                                                    \
        do {                                                                                       \
                const char *t_ = (text), *n_ = (needle);                                           \
                if (!t_ || !strstr(t_, n_)) {                                                      \
                        fprintf(stderr, "%s:%d: expected \"%s\" in: %s\n", __FILE__, __LINE__, n_, \
                                t_ ? t_ : "(null)");                                               \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

/* Applies a profile text to fresh defaults; returns the result, the config in *ret (NULL on
 * error), and what was printed in `captured`. */
static int load_text(const char *text, struct config **ret)
{
        struct config *c = config_new();
        int saved = capture_begin();
        int r = profile_apply_text(c, text, strlen(text), "t.ini", tmp, &ctx);
        if (r == 0)
                r = config_validate(c);
        capture_end(saved);
        if (r < 0 || !ret) {
                config_free(c);
                c = NULL;
        }
        if (ret)
                *ret = c;
        return r;
}

/* An error: load fails and prints this. */
static void expect_error(const char *text, const char *message)
{
        int r = load_text(text, NULL);
        if (r >= 0)
                fprintf(stderr, "profile should have failed: %s\n", text), check_failures++;
        CHECK_HAS(captured, message);
}

/* The config's NAME=VALUE entries joined by spaces. */
static const char *env_value_test(const struct config *c)
{
        static char joined[512];
        size_t n = 0;
        joined[0] = 0;
        for (size_t i = 0; c->env && c->env[i]; i++)
                n += (size_t)snprintf(joined + n, sizeof joined - n, "%s%s", i ? " " : "",
                                      c->env[i]);
        return joined;
}

static char *show(const struct config *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CHECK_INT(config_write_ini(c, f), 0);
        fclose(f);
        return buf;
}

static void test_basics(void)
{
        struct config *c;
        CHECK_INT(load_text("# a comment\n"
                            "; another\n"
                            "[sandbox]\n"
                            "hostname = box ; inline comment\n"
                            "user = 1000:100\n"
                            "workdir=/srv\n"
                            "[environment]\n"
                            "set = A=1 2\n"
                            "unset = LANG\n",
                            &c),
                  0);
        CHECK_STR(c->hostname, "box");
        CHECK_INT(c->uid, 1000);
        CHECK_INT(c->gid, 100);
        CHECK_STR(c->workdir, "/srv");
        CHECK_STR(c->env[0], "A=1 2");
        CHECK_STR(c->env_unset[0], "LANG");
        CHECK_STR(captured, "");
        config_free(c);
}

static void test_lists(void)
{
        struct config *c;
        CHECK_INT(load_text("[capabilities]\n"
                            "keep =\n"
                            "keep = CHOWN, net_bind_service\n"
                            "keep = cap_kill\n"
                            "drop = chown\n"
                            "ambient = KILL\n"
                            "[environment]\n"
                            "keep = LC_*, SSH_AUTH_SOCK\n"
                            "keep = SSH_AUTH_SOCK\n"
                            "set = A=1\n"
                            "unset = A\n"
                            "set = B=1\n"
                            "set = B=2\n"
                            "[seccomp]\n"
                            "deny = ptrace\n"
                            "allow = ptrace, personality\n"
                            "deny = personality\n",
                            &c),
                  0);
        CHECK_INT(c->caps_keep, (1ULL << 10) | (1ULL << 5));
        CHECK_INT(c->caps_ambient, 1ULL << 5);
        CHECK_INT(strv_length(c->env_keep), 4); /* TERM LANG LC_* SSH_AUTH_SOCK */
        CHECK_INT(strv_length(c->env), 1);      /* A unset, B once */
        CHECK_STR(c->env[0], "B=2");
        CHECK_STR(c->env_unset[0], "A");
        CHECK_INT(strv_length(c->seccomp.allow), 1); /* later wins: personality denied */
        CHECK_STR(c->seccomp.allow[0], "ptrace");
        CHECK_STR(c->seccomp.deny[0], "personality");
        config_free(c);

        /* set after unset wins */
        CHECK_INT(load_text("[environment]\nunset = A\nset = A=2\n", &c), 0);
        CHECK_STR(c->env[0], "A=2");
        CHECK_INT(strv_length(c->env_unset), 0);
        config_free(c);
}

static void test_mounts(void)
{
        struct config *c;
        char text[2048];
        snprintf(text, sizeof text,
                 "[filesystem]\n"
                 "bind = %s/src:/a/b/c\n"
                 "tmpfs = /a:size=64M,mode=755\n"
                 "ro_bind = %s/src\n"
                 "dir = /a/b//./d/:0700\n"
                 "symlink = /a/b:/l\n"
                 "tmpfs = /x\n"
                 "tmpfs = /x:size=1k\n",
                 tmp, tmp);
        CHECK_INT(load_text(text, &c), 0);
        CHECK_INT(c->n_mounts, 6); /* the second tmpfs on /x replaced the first */
        /* parents first, whatever the order of the lines; stable at one depth */
        CHECK_STR(c->mounts[0].target, "/a");
        CHECK_INT(c->mounts[0].size, 64 << 20);
        CHECK_INT(c->mounts[0].mode, 0755);
        CHECK_STR(c->mounts[1].target, "/l");
        CHECK_STR(c->mounts[2].target, "/x");
        CHECK_STR(c->mounts[3].target, "/a/b/c");
        CHECK_INT(c->mounts[3].kind, MOUNT_BIND);
        CHECK_STR(c->mounts[4].target, "/a/b/d");
        CHECK_INT(c->mounts[5].kind, MOUNT_RO_BIND); /* SRC alone: the same path inside */
        CHECK(startswith(c->mounts[5].target, tmp) != NULL);
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (c->mounts[i].kind == MOUNT_DIR) {
                        CHECK_STR(c->mounts[i].target, "/a/b/d");
                        CHECK_INT(c->mounts[i].mode, 0700);
                }
                if (c->mounts[i].kind == MOUNT_TMPFS && streq(c->mounts[i].target, "/x"))
                        CHECK_INT(c->mounts[i].size, 1024);
                CHECK(c->mounts[i].origin != NULL);
        }
        config_free(c);

        /* empty clears one kind only */
        snprintf(text, sizeof text, "[filesystem]\nbind = %s/src:/b\ntmpfs = /t\nbind =\n", tmp);
        CHECK_INT(load_text(text, &c), 0);
        CHECK_INT(c->n_mounts, 1);
        CHECK_INT(c->mounts[0].kind, MOUNT_TMPFS);
        config_free(c);
}

static void test_expansion(void)
{
        struct config *c;
        char text[512];
        snprintf(text, sizeof text,
                 "[filesystem]\nbind = ${PWD}/src:/w\n[environment]\nset = X=${HOME}:${USER}:"
                 "${UID}:$${HOME}:$x\n");
        CHECK_INT(load_text(text, &c), 0);
        CHECK_STR(c->env[0], "X=/home/tester:tester:4242:${HOME}:$x");
        CHECK_STR(c->mounts[0].target, "/w");
        config_free(c);
        expect_error("[environment]\nset = X=${NOPE}\n",
                     "t.ini:2: [environment] set: unknown variable in 'X=${NOPE}' (known: ${HOME}");
        expect_error("[environment]\nset = X=${HOME\n", "unknown variable");
        expect_error("[environment]\nset = X=${XDG_RUNTIME_DIR}\n",
                     "t.ini:2: [environment] set: ${XDG_RUNTIME_DIR} is not set");
}

static void test_includes(void)
{
        struct config *c;
        char text[1024];

        write_text("base.ini", "[sandbox]\nhostname = base\n[capabilities]\nkeep =\nkeep = KILL\n");
        write_text("mid.ini", "[profile]\ninclude = base.ini\n[capabilities]\nkeep = CHOWN\n");
        CHECK_INT(load_text("[profile]\ninclude = mid.ini\n[sandbox]\nuser = 5\n", &c), 0);
        CHECK_STR(c->hostname, "base");
        CHECK_INT(c->caps_keep, (1ULL << 5) | 1ULL);
        CHECK_INT(c->uid, 5);
        config_free(c);

        /* where it appears: a later include overrides what came before it */
        CHECK_INT(load_text("[sandbox]\nhostname = first\n[profile]\ninclude = base.ini\n", &c), 0);
        CHECK_STR(c->hostname, "base");
        config_free(c);

        /* by name, in the directories, the first one wins; a name skips the files being read, so
         * a user's profile can build on the shipped one of the same name */
        write_text("user/web.ini", "[profile]\ninclude = web\n[sandbox]\nhostname = mine\n");
        write_text("shipped/web.ini", "[sandbox]\nworkdir = /shipped\nhostname = shipped\n");
        CHECK_INT(load_text("[profile]\ninclude = web\n", &c), 0);
        CHECK_STR(c->hostname, "mine");
        CHECK_STR(c->workdir, "/shipped");
        config_free(c);

        write_text("a.ini", "[profile]\ninclude = b.ini\n");
        write_text("b.ini", "[sandbox]\nhostname = b\n[profile]\ninclude = a.ini\n");
        snprintf(text, sizeof text, "%s/b.ini:4: include '%s/a.ini': a cycle", tmp, tmp);
        expect_error("[profile]\ninclude = a.ini\n", text);
        write_text("user/c1.ini", "[profile]\ninclude = c2\n");
        write_text("user/c2.ini", "[profile]\ninclude = c1\n");
        expect_error("[profile]\ninclude = c1\n", "include 'c1': a cycle (c1 is being read)");
        expect_error("[profile]\ninclude = nothere\n",
                     "t.ini:2: include 'nothere': no such profile");
        expect_error("[profile]\ninclude = ./nothere.ini\n", "include '");
        expect_error("[profile]\ninclude = ../x\n", "No such file or directory");
        expect_error("[profile]\ninclude =\n", "t.ini:2: include needs a profile name or a path");
        expect_error("[profile]\ninclude = two words\n",
                     "t.ini:2: include 'two words': not a profile name or a path");
        mkdir(strcat(strcpy(text, tmp), "/adir.ini"), 0755);
        expect_error("[profile]\ninclude = adir.ini\n", "include 'adir.ini': cannot read");
        write_text("self.ini", "[profile]\ninclude = self.ini\n");
        expect_error("[profile]\ninclude = self.ini\n", "a cycle");
        /* an error inside an include names the included file and its line */
        write_text("bad.ini", "[sandbox]\n\nhostname = a b\n");
        snprintf(text, sizeof text,
                 "%s/bad.ini:3: [sandbox] hostname: 'a b' is not a valid "
                 "hostname",
                 tmp);
        expect_error("[profile]\ninclude = bad.ini\n", text);
        /* deep nesting */
        for (int i = 0; i < 10; i++) {
                char name[32], body[64];
                snprintf(name, sizeof name, "deep%d.ini", i);
                snprintf(body, sizeof body, "[profile]\ninclude = deep%d.ini\n", i + 1);
                write_text(name, body);
        }
        write_text("deep10.ini", "[sandbox]\nhostname = deep\n");
        expect_error("[profile]\ninclude = deep0.ini\n", "more than 8 levels of includes");
}

static void test_errors(void)
{
        expect_error("[sandbx]\nhostname = x\n",
                     "t.ini:1: unknown section [sandbx] (did you mean [sandbox]?)");
        expect_error("[frobnicate]\n", "t.ini:1: unknown section [frobnicate]");
        expect_error("[sandbox]\nhostnme = x\n",
                     "t.ini:2: unknown key 'hostnme' in [sandbox] (did you mean 'hostname'?)");
        expect_error("[sandbox]\nread_only = yes\n",
                     "t.ini:2: 'read_only' is not a key of [sandbox]: it belongs in [filesystem]");
        expect_error(
            "[sandbox]\nzzzzzzzz = 1\n",
            "unknown key 'zzzzzzzz' in [sandbox] (its keys: user, hostname, workdir, entrypoint)");
        expect_error("hostname = x\n", "t.ini:1: 'hostname' comes before any [section]");
        expect_error("[sandbox]\nthis line has no equals sign\n",
                     "t.ini:2: expected 'key = value' or '[section]'");
        expect_error("[sandbox\n", "t.ini:1: expected 'key = value' or '[section]'");
        {
                char longline[400];
                memset(longline, 'a', sizeof longline);
                memcpy(longline, "[environment]\nset = X=", 22);
                strcpy(longline + 390, "\n");
                expect_error(longline, "t.ini:2: line longer than");
        }
        {
                struct config *c = config_new();
                static const char nul[] = "[sandbox]\nhostname = a\0b\n";
                int saved = capture_begin();
                CHECK(profile_apply_text(c, nul, sizeof nul - 1, "t.ini", tmp, &ctx) < 0);
                capture_end(saved);
                CHECK_HAS(captured, "t.ini:2: a NUL byte");
                config_free(c);
        }
        /* all errors of a file, not only the first */
        expect_error("[sandbox]\nhostname = -x-\nuser = me\n[capabilities]\nkeep = CAP_CHOWNN\n",
                     "t.ini:3: [sandbox] user: 'me' is not UID or UID:GID");
        CHECK_HAS(captured, "t.ini:5: [capabilities] keep: unknown capability 'chownn' (did you "
                            "mean CHOWN?)");

        /* values */
        expect_error("[filesystem]\nread_only = maybe\n", "'maybe' is not yes or no");
        expect_error("[namespaces]\nipc = 2\n", "t.ini:2: [namespaces] ipc: '2' is not yes or no");
        expect_error("[sandbox]\nworkdir = rel\n", "'rel' must be an absolute path inside");
        expect_error("[filesystem]\nbind = /nonexistent-zz:/x\n",
                     "t.ini:2: [filesystem] bind: '/nonexistent-zz': No such file or directory");
        expect_error("[filesystem]\nbind = relative:/x\n", "must be an absolute host path");
        expect_error("[filesystem]\nbind = /tmp:relative\n", "must be an absolute path inside");
        expect_error("[filesystem]\nbind = /tmp:/a/../b\n", "without '..'");
        expect_error("[filesystem]\nbind = /tmp:/\n", "'/' cannot be a mount target");
        expect_error("[filesystem]\ntmpfs = /proc/x\n", "is in /proc or /sys");
        expect_error("[filesystem]\nro_bind = /tmp:/sys\n", "is in /proc or /sys");
        expect_error("[filesystem]\nbind = /dev/null:/n\n",
                     "'/dev/null' is a device: binds are nodev, use dev_bind");
        expect_error("[filesystem]\ndev_bind = /etc/passwd\n",
                     "'/etc/passwd' is not a device or a directory of devices");
        expect_error("[filesystem]\nbind = /tmp:/a:/b\n", "is not SRC[:DST]");
        expect_error("[filesystem]\ntmpfs = /t:size=lots\n", "tmpfs size 'lots' is not a size");
        expect_error("[filesystem]\ntmpfs = /t:mode=999\n", "tmpfs mode '999' is not an octal");
        expect_error("[filesystem]\ntmpfs = /t:uid=0\n", "unknown tmpfs option 'uid=0'");
        expect_error("[filesystem]\nsymlink = /only\n", "is not TARGET:PATH");
        expect_error("[filesystem]\ndir = /d:rwx\n", "'rwx' is not an octal mode");
        expect_error("[environment]\nset = NOEQUALS\n", "'NOEQUALS' is not NAME=VALUE");
        expect_error("[environment]\nkeep = 1BAD\n", "'1BAD' is not a variable name");
        expect_error("[environment]\nunset = A*\n", "'A*' is not a variable name");
        expect_error("[capabilities]\nkeep = NET_BIND\n",
                     "unknown capability 'net_bind' (did you mean");
        expect_error("[capabilities]\ndrop = whatever\n", "unknown capability 'whatever'");
        expect_error("[seccomp]\ndefault = maybe\n", "'maybe' is not allow (a deny list)");
        expect_error("[seccomp]\nerrno = EWHAT\n", "'EWHAT' is not an errno");
        expect_error("[seccomp]\nerrno = 5000\n", "'5000' is not an errno");
        expect_error("[seccomp]\nallow = ptrce\n",
                     "[seccomp] allow: unknown system call 'ptrce' (did you mean ptrace?)");
        expect_error("[seccomp]\ndeny = nosuchcallatall\n",
                     "unknown system call 'nosuchcallatall'");
        expect_error("[seccomp]\nrule = ioctl arg9 == 1\n", "expected arg0 to arg5, got 'arg9'");
        expect_error("[seccomp]\nrule = ioctl arg1 == 1, arg1 == 2\n", "arg1 is tested twice");
        expect_error("[seccomp]\nrule = ioctl arg1 == x\n", "expected a number");
        expect_error("[seccomp]\nrule = ioctl arg1 =~ 1\n", "arg1: expected an operator");
        expect_error("[seccomp]\nrule = ioctl arg1 -> 1\n", "arg1: '->' is not an operator");
        expect_error("[seccomp]\nrule = ioctl arg1 & x == 1\n", "arg1 &: expected a mask");
        expect_error("[seccomp]\nrule = ioctl arg1 & 1 != 1\n", "arg1 & MASK: expected ==");
        expect_error("[seccomp]\nrule = ioctl arg1 == 1 arg2 == 3\n", "expected ',' or '->'");
        expect_error("[seccomp]\nrule = ioctl -> maybe\n", "-> expects allow, log, kill, or an");
        expect_error("[seccomp]\nrule = ioctl -> EPERM extra\n", "unexpected 'extra' after");
        expect_error("[seccomp]\nrule = ioctl arg1 == 1 ?\n", "unexpected character '?'");
        expect_error("[seccomp]\nrule = ioctl -> allow\n",
                     "[seccomp] rule for ioctl: '-> allow' needs default = deny");
        {
                char many[300 * 24] = "[seccomp]\n";
                for (int i = 0; i < 260; i++)
                        strcat(many, "rule = kill arg0 == 1\n");
                expect_error(many, "more than 256 rules");
        }
        expect_error("[rlimits]\nnofile = lots\n", "'lots' is not SOFT[:HARD] (numbers, or");
        expect_error("[rlimits]\nnofile = 10:5\n", "the soft limit is above the hard limit");
        expect_error("[rlimits]\nas = 1Q\n", "numbers with K M G T");
        expect_error("[limits]\nmemory = 1k\n", "'1k' is below 1M");
        expect_error("[namespaces]\nuts = no\n[sandbox]\nhostname = other\n",
                     "[sandbox] hostname 'other' needs a UTS namespace of its own");
}

static void test_warnings(void)
{
        struct config *c;
        char text[1024], home[300];

        snprintf(home, sizeof home, "%s/home", tmp);
        mkdir(home, 0755);
        setenv("HOME", home, 1);
        snprintf(text, sizeof text, "[filesystem]\nbind = %s\nro_bind = %s:/h\n", home, home);
        CHECK_INT(load_text(text, &c), 0);
        CHECK_HAS(captured, "warning: t.ini:2: [filesystem] bind: bind ");
        CHECK_HAS(captured, "lets the sandbox write to your whole home directory");
        CHECK(strstr(captured, "t.ini:3") == NULL); /* read-only: no warning */
        config_free(c);
        setenv("XDG_RUNTIME_DIR", tmp, 1);
        snprintf(text, sizeof text, "[filesystem]\nro_bind = %s:/r\n", tmp);
        CHECK_INT(load_text(text, &c), 0);
        CHECK_HAS(captured, "exposes your whole session runtime directory");
        config_free(c);
        unsetenv("XDG_RUNTIME_DIR");
        CHECK_INT(load_text("[filesystem]\nro_bind = /:/host\ndev_bind = /dev/null:/dev/n\n", &c),
                  0);
        CHECK_HAS(captured, "t.ini:2: [filesystem] ro_bind: ro_bind / exposes the host's whole");
        CHECK_HAS(captured, "t.ini:3: [filesystem] dev_bind: dev_bind /dev/null gives the sandbox "
                            "a host device");
        config_free(c);
        CHECK_INT(load_text("[seccomp]\nenabled = no\n[namespaces]\nipc = no\n", &c), 0);
        CHECK_HAS(captured, "warning: t.ini:2: [seccomp] enabled: no seccomp filter");
        CHECK_HAS(captured, "warning: t.ini:4: [namespaces] ipc: the sandbox shares the host's");
        config_free(c);
}

/* The command line over the profile, whatever the order of the options. */
static void test_precedence(void)
{
        struct cli cli;
        struct config *c = NULL;
        char profile[512];
        char *argv[] = {"sandbox",   "--cap-drop", "KILL", "--hostname", "cli",
                        "--profile", profile,      "-e",   "A=cli",      "--seccomp-allow",
                        "ptrace",    "--tmpfs=",   "img",  NULL};

        write_text("prec.ini", "[sandbox]\nhostname = prof\nuser = 7\n[capabilities]\nkeep =\n"
                               "keep = KILL, CHOWN\n[environment]\nset = A=prof\nset = B=prof\n"
                               "[filesystem]\ntmpfs = /t\n");
        snprintf(profile, sizeof profile, "%s/prec.ini", tmp);
        CHECK_INT(cli_parse((int)strv_length(argv), argv, &cli), 0);
        CHECK_INT(config_build(&cli, &c), 0);
        CHECK_STR(c->hostname, "cli");                /* the command line wins */
        CHECK_INT(c->uid, 7);                         /* the profile beats the defaults */
        CHECK_INT(c->caps_keep, 1ULL);                /* KILL dropped after the profile's keep */
        CHECK_STR(env_value_test(c), "B=prof A=cli"); /* one A, the command line's */
        CHECK_STR(c->seccomp.allow[0], "ptrace");
        CHECK_INT(c->n_mounts, 0); /* --tmpfs= cleared the profile's list */
        CHECK_STR(c->profile, profile);
        config_free(c);
        cli_free(&cli);

        {
                char *twice[] = {"sandbox", "--profile", "a", "--profile", "b", "img", NULL};
                int saved = capture_begin();
                CHECK(cli_parse(6, twice, &cli) < 0);
                capture_end(saved);
                CHECK_HAS(captured, "--profile given twice");
                cli_free(&cli);
        }
        {
                char *missing[] = {"sandbox", "--profile", "nosuchprofile", "img", NULL};
                int saved;
                CHECK_INT(cli_parse(4, missing, &cli), 0);
                saved = capture_begin();
                CHECK(config_build(&cli, &c) < 0);
                capture_end(saved);
                CHECK_HAS(captured, "no profile named 'nosuchprofile'");
                cli_free(&cli);
        }
        {
                char *bad[] = {"sandbox", "--cap-add", "NOPE", "img", NULL};
                int saved;
                CHECK_INT(cli_parse(4, bad, &cli), 0);
                saved = capture_begin();
                CHECK(config_build(&cli, &c) < 0);
                capture_end(saved);
                CHECK_HAS(captured, "sandbox: --cap-add: unknown capability 'nope'");
                cli_free(&cli);
        }
}

/* `profile show` output loads back into the same settings. */
static void round_trip(const char *text)
{
        struct config *c, *again;
        char *first, *second;
        if (load_text(text, &c) < 0) {
                fprintf(stderr, "round trip: does not load: %s\n%s\n", text, captured);
                check_failures++;
                return;
        }
        first = show(c);
        if (load_text(first, &again) < 0)
                fprintf(stderr, "round trip: the shown text does not load:\n%s\n%s\n", first,
                        captured),
                    check_failures++;
        if (again) {
                second = show(again);
                CHECK_STR(second, first);
                free(second);
                config_free(again);
        }
        free(first);
        config_free(c);
}

static void test_show_round_trip(void)
{
        char text[2048];
        const char *shipped[] = {"default", "strict", "web", "ci", "devel"};

        snprintf(text, sizeof text,
                 "[sandbox]\nuser = 3:4\nworkdir = /w$$x\n[namespaces]\nipc = no\ncgroup = no\n"
                 "[filesystem]\nread_only = yes\nbind = %s/src:/s\nro_bind = %s/src:/r\n"
                 "dev_bind = /dev/null:/dev/x\ntmpfs = /t:size=3M,mode=0700\ntmpfs = /u\n"
                 "symlink = /t:/l\ndir = /d:1777\n[environment]\nclear = yes\nkeep =\n"
                 "keep = LC_*\nset = A=b=c\nset = D=$${HOME}$$\nunset = TERM\n[capabilities]\nkeep "
                 "= ALL\n"
                 "drop = SYS_ADMIN\nambient = KILL\n[seccomp]\ndefault = deny\nerrno = ENOSYS\n"
                 "log = yes\nallow = read, write\ndeny = ptrace\n"
                 "rule = socket arg0 == 40 -> EAFNOSUPPORT\n"
                 "rule = ioctl arg1 & 0xffffffff == 0x5412, arg0 >= 3 -> allow\n"
                 "rule = personality arg0 != -1 -> log\nrule = kill -> kill\n"
                 "[rlimits]\nnofile = 100:200\ncore = 0\nas = unlimited\nstack = 8M\n"
                 "[limits]\nmemory = 512M\nmemory_swap = max\npids = 10\ncpus = 1.25\n"
                 "cpu_weight = 5\nio_weight = 6\nio_max = 8:0 rbps=1\nmode = best-effort\n",
                 tmp, tmp);
        round_trip(text);
        round_trip("");
        round_trip("[sandbox]\nentrypoint = /bin/echo\n[storage]\ndriver = fuse-overlayfs\n"
                   "persist = /p/q\n");
        round_trip("[sandbox]\nentrypoint =\n[storage]\ndriver = overlay\n");
        {
                struct config *c;
                char *shown;
                if (load_text("[sandbox]\nentrypoint = /bin/echo\n[storage]\ndriver = "
                              "fuse-overlayfs\npersist = /p/q\n",
                              &c) == 0) {
                        shown = show(c);
                        CHECK_HAS(shown, "entrypoint = /bin/echo\n");
                        CHECK_HAS(shown, "driver = fuse-overlayfs\n");
                        CHECK_HAS(shown, "persist = /p/q\n");
                        free(shown);
                        config_free(c);
                } else {
                        check_failures++;
                }
        }
        for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
                char inc[128];
                snprintf(inc, sizeof inc, "[profile]\ninclude = %s/%s.ini\n", PROFILES_SRC_DIR,
                         shipped[i]);
                round_trip(inc);
        }
}

/* The shipped default spells out the built-in defaults, so a missing one changes nothing. */
static void test_default_is_builtin(void)
{
        struct config *builtin = config_new(), *c;
        char inc[256], *a, *b;
        snprintf(inc, sizeof inc, "[profile]\ninclude = %s/default.ini\n", PROFILES_SRC_DIR);
        CHECK_INT(load_text(inc, &c), 0);
        CHECK_STR(captured, "");
        a = show(builtin);
        b = show(c);
        CHECK_STR(b, a);
        free(a);
        free(b);
        config_free(c);
        config_free(builtin);
}

static void test_table(void)
{
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                /* Every sandbox setting has a command-line option and a show function. */
                if (s->section && s->meta == META_NONE) {
                        CHECK(s->apply != NULL);
                        if (!s->show)
                                fprintf(stderr, "[%s] %s has no show function\n", s->section,
                                        s->key),
                                    check_failures++;
                }
                for (size_t j = 0; j < i; j++) {
                        if (settings[j].meta != META_PROFILE_KEY && s->meta != META_PROFILE_KEY)
                                CHECK(!streq(setting_option(s), setting_option(&settings[j])));
                        if (s->section && settings[j].section &&
                            streq(s->section, settings[j].section))
                                CHECK(!streq(s->key, settings[j].key));
                }
        }
}

int main(void)
{
        const char *t = getenv("TMPDIR");
        char path[512];

        snprintf(tmp, sizeof tmp, "%s/test_profile.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmp))
                abort();
        snprintf(path, sizeof path, "%s/src", tmp);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/user", tmp);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/shipped", tmp);
        mkdir(path, 0755);
        unsetenv("XDG_RUNTIME_DIR");
        ctx.vars[PROFILE_VAR_HOME] = xstrdup("/home/tester");
        ctx.vars[PROFILE_VAR_USER] = xstrdup("tester");
        ctx.vars[PROFILE_VAR_UID] = xstrdup("4242");
        ctx.vars[PROFILE_VAR_PWD] = xstrdup(tmp);
        ctx.dirs[0] = (struct profile_dir){xasprintf("%s/user", tmp), "user"};
        ctx.dirs[1] = (struct profile_dir){xasprintf("%s/shipped", tmp), "shipped"};
        ctx.dirs[2] = (struct profile_dir){xstrdup(PROFILES_SRC_DIR), "shipped"};
        ctx.n_dirs = 3;
        /* config_build reads the process's own context: point it at the same directories. */
        setenv("XDG_CONFIG_HOME", tmp, 1);

        test_basics();
        test_lists();
        test_mounts();
        test_expansion();
        test_includes();
        test_errors();
        test_warnings();
        test_precedence();
        test_show_round_trip();
        test_default_is_builtin();
        test_table();

        profile_ctx_done(&ctx);
        free(captured);
        snprintf(path, sizeof path, "rm -rf '%s'", tmp);
        if (system(path) != 0)
                fprintf(stderr, "could not remove %s\n", tmp);
        CHECK_DONE();
}
