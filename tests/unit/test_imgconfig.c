/* Unit tests of a layered image's config: the unpacker's line format, and docker run's rules for
 * combining it with --entrypoint, COMMAND, --env, --workdir and the image's User. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "env.h"
#include "imgconfig.h"
#include "util.h"

static char *join(char **v)
{
        static char buf[512];
        size_t o = 0;

        buf[0] = 0;
        for (size_t i = 0; v && v[i]; i++)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%s[%s]", i ? " " : "", v[i]);
        return buf;
}

static void test_parse(void)
{
        struct image_config ic;

        CHECK_INT(imgconfig_parse("# sandbox image config 1\n"
                                  "entrypoint /bin/sh\nentrypoint -c\n"
                                  "cmd echo a\\nb\\t\\\\c\\x01\n"
                                  "env PATH=/opt/bin:/bin\nenv EMPTY=\n"
                                  "workdir /srv/app\nuser app:staff\n",
                                  &ic),
                  0);
        CHECK(ic.present);
        CHECK_STR(join(ic.entrypoint), "[/bin/sh] [-c]");
        CHECK_STR(ic.cmd[0], "echo a\nb\t\\c\x01");
        CHECK_STR(join(ic.env), "[PATH=/opt/bin:/bin] [EMPTY=]");
        CHECK_STR(ic.workdir, "/srv/app");
        CHECK_STR(ic.user, "app:staff");
        imgconfig_free(&ic);

        CHECK_INT(imgconfig_parse("", &ic), 0);
        CHECK(ic.present && !ic.entrypoint && !ic.cmd && !ic.user);
        imgconfig_free(&ic);

        /* Damaged files are refused, never half-read. */
        static const char *const bad[] = {
            "entrypoint\n",       /* no value */
            "color red\n",        /* unknown key */
            "cmd a\\x00b\n",      /* a NUL */
            "cmd a\\q\n",         /* unknown escape */
            "cmd a\\\n",          /* escape at the end */
            "env NOEQUALS\n",     /* not NAME=VALUE */
            "workdir relative\n", /* not absolute */
            "user a\nuser b\n",   /* twice */
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                ic = (struct image_config){0};
                CHECK_INT(imgconfig_parse(bad[i], &ic), -EINVAL);
                CHECK(!ic.present && !ic.cmd);
        }
}

/* docker run: --entrypoint replaces Entrypoint and drops Cmd; COMMAND replaces Cmd. */
static void test_argv(void)
{
        struct config c = {0};
        struct image_config ic = {0}, none = {0};
        char *sh[] = {"/bin/sh", NULL}, *cmd[] = {"ls", "-l", NULL};
        char *ep[] = {"/entry", "--flag", NULL}, *icmd[] = {"serve", NULL};
        char **v;

        ic.present = true;
        ic.entrypoint = ep;
        ic.cmd = icmd;
        c.argv = sh; /* the default when no COMMAND is given */

#define ARGV(c, ic, want)                                                                          \
        do {                                                                                       \
                v = imgconfig_argv(c, ic);                                                         \
                CHECK_STR(join(v), want);                                                          \
                strv_free(v);                                                                      \
        } while (0)

        ARGV(&c, &ic, "[/entry] [--flag] [serve]");
        c.argv = cmd;
        c.argv_given = true;
        ARGV(&c, &ic, "[/entry] [--flag] [ls] [-l]");
        c.entrypoint = "/other";
        ARGV(&c, &ic, "[/other] [ls] [-l]");
        c.argv = sh;
        c.argv_given = false;
        ARGV(&c, &ic, "[/other]");
        c.entrypoint = "";
        ARGV(&c, &ic, "[/bin/sh]"); /* no entrypoint, Cmd dropped: the default */
        c.entrypoint = NULL;
        ic.entrypoint = NULL;
        ARGV(&c, &ic, "[serve]");
        ic.cmd = NULL;
        ARGV(&c, &ic, "[/bin/sh]");
        /* A rootfs image has no config: the command line alone. */
        c.argv = cmd;
        c.argv_given = true;
        ARGV(&c, &none, "[ls] [-l]");
        c.entrypoint = "/bin/echo";
        ARGV(&c, &none, "[/bin/echo] [ls] [-l]");
#undef ARGV
}

static void test_workdir(void)
{
        struct config c = {0};
        struct image_config ic = {.present = true, .workdir = "/srv"}, none = {0};

        CHECK(imgconfig_workdir(&c, &none) == NULL);
        CHECK_STR(imgconfig_workdir(&c, &ic), "/srv");
        c.workdir = "/tmp";
        CHECK_STR(imgconfig_workdir(&c, &ic), "/tmp");
}

static void test_user(void)
{
        const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                             "app:x:1000:1001:App:/home/app:/bin/sh\n"
                             "nogid:x:1002::x:/:/bin/sh\n";
        const char *group = "root:x:0:\nstaff:x:50:\napp:x:1001:\n";
        char err[256];
        uint32_t u = 9, g = 9;

        CHECK_INT(imgconfig_user("app", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 1000 && g == 1001);
        CHECK_INT(imgconfig_user("app:staff", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 1000 && g == 50);
        CHECK_INT(imgconfig_user("1000", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 1000 && g == 1001);
        CHECK_INT(imgconfig_user("4242", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 4242 && g == 0);
        CHECK_INT(imgconfig_user("4242:77", NULL, NULL, &u, &g, err, sizeof err), 0);
        CHECK(u == 4242 && g == 77);
        CHECK_INT(imgconfig_user("0:staff", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 0 && g == 50);
        CHECK_INT(imgconfig_user("nogid", passwd, group, &u, &g, err, sizeof err), 0);
        CHECK(u == 1002 && g == 0);
        CHECK_INT(imgconfig_user("ghost", passwd, group, &u, &g, err, sizeof err), -EINVAL);
        CHECK(strstr(err, "no user 'ghost'") != NULL);
        CHECK_INT(imgconfig_user("app:ghosts", passwd, group, &u, &g, err, sizeof err), -EINVAL);
        CHECK(strstr(err, "no group 'ghosts'") != NULL);
        CHECK_INT(imgconfig_user("app", NULL, NULL, &u, &g, err, sizeof err), -EINVAL);
        CHECK_INT(imgconfig_user(":1", passwd, group, &u, &g, err, sizeof err), -EINVAL);
        CHECK_INT(imgconfig_user("1:", passwd, group, &u, &g, err, sizeof err), -EINVAL);
        /* A name is matched whole: "ap" is not "app". */
        CHECK_INT(imgconfig_user("ap", passwd, group, &u, &g, err, sizeof err), -EINVAL);
}

/* The image's Env sits between the defaults and --env. */
static void test_env(void)
{
        struct config c = {0};
        char *image_env[] = {"PATH=/opt/bin", "FOO=image", "HOME=/srv", "ONLY=image", NULL};
        char **env;

        strv_push_dup(&c.env, "FOO=cli");
        env = env_build_with(&c, image_env, "/root");
        CHECK_STR(env_get(env, "PATH"), "/opt/bin");
        CHECK_STR(env_get(env, "HOME"), "/srv");
        CHECK_STR(env_get(env, "FOO"), "cli");
        CHECK_STR(env_get(env, "ONLY"), "image");
        strv_free(env);
        env = env_build_with(&c, NULL, "/root");
        CHECK_STR(env_get(env, "HOME"), "/root");
        CHECK(env_get(env, "ONLY") == NULL);
        strv_free(env);
        strv_free(c.env);
}

int main(void)
{
        test_parse();
        test_env();
        test_argv();
        test_workdir();
        test_user();
        CHECK_DONE();
}
