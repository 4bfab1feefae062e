/* Unit tests: environment reset, passwd home lookup, exec diagnosis names, number parsing. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "env.h"
#include "execdiag.h"
#include "util.h"

static void test_env_reset(void)
{
        struct config *c = config_new(); /* the defaults keep TERM and LANG */
        char **env;
        setenv("TERM", "xterm-test", 1);
        setenv("LANG", "C.UTF-8", 1);
        setenv("SECRET_TOKEN", "leak", 1);
        strv_push_dup(&c->env, "FOO=bar");
        strv_push_dup(&c->env, "PATH=/custom");
        strv_push_dup(&c->env, "FOO=baz");
        env = env_build(c, "/home/u");
        CHECK_STR(env_get(env, "HOME"), "/home/u");
        CHECK_STR(env_get(env, "TERM"), "xterm-test");
        CHECK_STR(env_get(env, "PATH"), "/custom");  /* --env overrides the default */
        CHECK_STR(env_get(env, "FOO"), "baz");       /* later wins */
        CHECK(env_get(env, "SECRET_TOKEN") == NULL); /* the host's environment stays out */
        CHECK_INT(strv_length(env), 5);
        strv_free(env);
        config_free(c);
}

static void test_passwd_home(void)
{
        const char *pw = "root:x:0:0:root:/root:/bin/sh\n"
                         "broken line\n"
                         "u:x:1000:1000::/home/u:/bin/sh\n"
                         "v:x:10000:1:::/bin/sh";
        char *h = passwd_home(pw, 1000);
        CHECK_STR(h, "/home/u");
        free(h);
        CHECK(passwd_home(pw, 100) == NULL);   /* "1000" must not match 100 */
        CHECK(passwd_home(pw, 10000) == NULL); /* empty home field */
}

static void test_machine_names(void)
{
        CHECK_STR(execdiag_machine_name(183), "aarch64");
        CHECK_STR(execdiag_machine_name(62), "x86_64");
        CHECK(execdiag_machine_name(0xfff) == NULL);
}

static void test_parse_numbers(void)
{
        uint32_t u, g;
        uint64_t v;
        CHECK_INT(parse_uid_gid("1000", &u, &g), 0);
        CHECK_INT(g, 1000);
        CHECK(parse_uid_gid("1000:", &u, &g) < 0);
        CHECK(parse_uid_gid("-1", &u, &g) < 0);
        CHECK(parse_u64("18446744073709551616", &v) < 0);
        CHECK_INT(parse_u64("18446744073709551615", &v), 0);
        CHECK(env_assignment_valid("A_1=x"));
        CHECK(!env_assignment_valid("1A=x"));
        CHECK(!env_assignment_valid("A-B=x"));
        CHECK(!env_assignment_valid("NOEQUALS"));
        CHECK(filename_safe("abc-1.2_3"));
        CHECK(!filename_safe(".."));
        CHECK(!filename_safe("a/b"));
}

int main(void)
{
        test_env_reset();
        test_passwd_home();
        test_machine_names();
        test_parse_numbers();
        CHECK_DONE();
}
