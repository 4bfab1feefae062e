/* libFuzzer target: the input bytes as a profile, applied to the built-in defaults by the
 * launcher's own profile code (inih, the settings table, includes, expansion). When it loads,
 * what `profile show` writes for it must load again and show the same: the round trip is
 * the oracle, besides ASan's. Runs unprivileged; reads files only (includes, bind sources). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profile_ctx ctx;
static char dir[256];

static void remove_dir(void)
{
        (void)rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(dir, sizeof dir, "%s/fuzz_profile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
                abort();
        atexit(remove_dir);
        /* Fixed values, so that a crash replays; includes by name find nothing. */
        ctx.vars[PROFILE_VAR_HOME] = xstrdup("/home/fuzz");
        ctx.vars[PROFILE_VAR_USER] = xstrdup("fuzz");
        ctx.vars[PROFILE_VAR_UID] = xstrdup("1000");
        ctx.vars[PROFILE_VAR_PWD] = xstrdup(dir);
        ctx.dirs[0] = (struct profile_dir){xstrdup(dir), "user"};
        ctx.n_dirs = 1;
        return 0;
}

static char *show(const struct config *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f || config_write_ini(c, f) < 0 || fclose(f) != 0)
                abort();
        return buf;
}

static struct config *load(const char *text, size_t len)
{
        struct config *c = config_new();
        if (profile_apply_text(c, text, len, "fuzz.ini", dir, &ctx) < 0 || config_validate(c) < 0) {
                config_free(c);
                return NULL;
        }
        return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config *c = load((const char *)data, size), *again;
        char *first, *second;

        if (!c)
                return 0;
        first = show(c);
        again = load(first, strlen(first));
        if (!again) {
                fprintf(stdout, "the shown profile does not load:\n%s\n", first);
                abort();
        }
        second = show(again);
        if (strcmp(first, second) != 0) {
                fprintf(stdout, "the shown profile shows differently:\n%s\n---\n%s\n", first,
                        second);
                abort();
        }
        free(first);
        free(second);
        config_free(again);
        config_free(c);
        return 0;
}
