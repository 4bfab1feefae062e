/* The one immutable configuration of a launch: built-in defaults < profile < command line.
 * Runs on the host, before any namespace exists. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "schema.h"
#include "util.h"

static struct config *config_defaults(void)
{
        struct config *c = xcalloc(1, sizeof *c);
        c->hostname = xstrdup("sandbox");
        c->caps_keep = CAPS_DOCKER_DEFAULT;
        limits_init(&c->limits);
        return c;
}

static int apply_cli(struct config *c, const struct cli *cli)
{
        for (size_t i = 0; i < cli->n_values; i++) {
                const struct setting *s = cli->values[i].setting;
                char err[256];
                if (s->apply(c, cli->values[i].value, err, sizeof err) < 0)
                        return log_error("--%s: %s", s->option ? s->option : s->key, err);
        }
        return 0;
}

int config_build(const struct cli *cli, struct config **ret)
{
        struct config *c = config_defaults();
        int r;

        r = apply_cli(c, cli);
        if (r < 0) {
                config_free(c);
                return r;
        }
        c->image = xstrdup(cli->image);
        c->argv = cli->argv && cli->argv[0] ? strv_copy(cli->argv) : NULL;
        c->argv_given = c->argv != NULL;
        if (!c->argv)
                strv_push_dup(&c->argv, "/bin/sh");
        *ret = c;
        return 0;
}

void config_free(struct config *c)
{
        if (!c)
                return;
        free(c->image);
        strv_free(c->argv);
        free(c->hostname);
        free(c->workdir);
        strv_free(c->env);
        free(c->trace_path);
        free(c->entrypoint);
        free(c->storage.persist);
        limits_free(&c->limits);
        free(c);
}
