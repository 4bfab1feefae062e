/* Unit tests: command-line parsing, verbs, config building, option errors. */
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "util.h"

static int parse(struct cli *c, char **argv)
{
        int argc = (int)strv_length(argv);
        return cli_parse(argc, argv, c);
}

static void test_shorthand_run(void)
{
        struct cli c;
        char *argv[] = {"sandbox", "-u", "1000:100", "--env", "A=1", "img.tar", "ls", "-l", NULL};
        CHECK_INT(parse(&c, argv), 0);
        CHECK_INT(c.verb, VERB_RUN);
        CHECK_STR(c.image, "img.tar");
        CHECK_INT(strv_length(c.argv), 2);
        CHECK_STR(c.argv[1], "-l"); /* options after IMAGE belong to the command */
        CHECK_INT(c.n_values, 2);

        struct config *cfg = NULL;
        CHECK_INT(config_build(&c, &cfg), 0);
        CHECK_INT(cfg->uid, 1000);
        CHECK_INT(cfg->gid, 100);
        CHECK_STR(cfg->env[0], "A=1");
        CHECK_STR(cfg->hostname, "sandbox");
        config_free(cfg);
        cli_free(&c);
}

static void test_explicit_run_and_dashdash(void)
{
        struct cli c;
        char *argv[] = {"sandbox", "run", "--", "-weird-image", NULL};
        CHECK_INT(parse(&c, argv), 0);
        CHECK_STR(c.image, "-weird-image");
        CHECK(c.argv == NULL);
        struct config *cfg = NULL;
        CHECK_INT(config_build(&c, &cfg), 0);
        CHECK_STR(cfg->argv[0], "/bin/sh"); /* no command: a shell */
        config_free(cfg);
        cli_free(&c);
}

static void test_verbs_reserved(void)
{
        struct cli c;
        char *a1[] = {"sandbox", "ps", NULL};
        CHECK_INT(parse(&c, a1), 0);
        CHECK_INT(c.verb, VERB_PS);
        cli_free(&c);

        char *a2[] = {"sandbox", "-q", "image", NULL};
        CHECK(parse(&c, a2) < 0); /* a verb word where IMAGE goes is refused */
        cli_free(&c);

        char *a3[] = {"sandbox", "--help", NULL};
        CHECK_INT(parse(&c, a3), 0);
        CHECK_INT(c.verb, VERB_HELP);
        cli_free(&c);
}

static void test_errors(void)
{
        struct cli c;
        struct config *cfg = NULL;
        char *a1[] = {"sandbox", "--no-such-option", "img", NULL};
        CHECK(parse(&c, a1) < 0);
        cli_free(&c);

        char *a2[] = {"sandbox", NULL};
        CHECK(parse(&c, a2) < 0); /* no IMAGE */
        cli_free(&c);

        char *a3[] = {"sandbox", "--user", "bob", "img", NULL};
        CHECK_INT(parse(&c, a3), 0);
        CHECK(config_build(&c, &cfg) < 0);
        cli_free(&c);

        char *a4[] = {"sandbox", "--env", "=x", "img", NULL};
        CHECK_INT(parse(&c, a4), 0);
        CHECK(config_build(&c, &cfg) < 0);
        cli_free(&c);

        char *a5[] = {"sandbox", "--workdir", "relative", "img", NULL};
        CHECK_INT(parse(&c, a5), 0);
        CHECK(config_build(&c, &cfg) < 0);
        cli_free(&c);

        char *a6[] = {"sandbox", "--user", "4294967295", "img", NULL};
        CHECK_INT(parse(&c, a6), 0);
        CHECK(config_build(&c, &cfg) < 0); /* (uid_t)-1 is never an identity */
        cli_free(&c);
}

static void test_usage_lists_every_option(void)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cli_usage(f);
        fclose(f);
        CHECK(strstr(buf, "--user UID[:GID]") != NULL);
        CHECK(strstr(buf, "--env NAME=VALUE") != NULL);
        CHECK(strstr(buf, "125") != NULL);
        CHECK(strstr(buf, "127") != NULL);
        free(buf);
}

int main(void)
{
        test_shorthand_run();
        test_explicit_run_and_dashdash();
        test_verbs_reserved();
        test_errors();
        test_usage_lists_every_option();
        CHECK_DONE();
}
