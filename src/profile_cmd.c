/* The profile verb: sandbox profile list | show [NAME] [OPTIONS] | check FILE | keys.
 * Runs on the host as the invoking user; reads profiles, never starts a sandbox. */
#include "profile_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "profile.h"
#include "schema.h"
#include "util.h"

#define EXIT_INVALID 1 /* profile check: the profile has errors */

struct entry {
        char *name, *path;
        const char *kind;
};

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int cmd_list(const struct profile_ctx *ctx)
{
        struct entry *e = NULL;
        size_t n = 0, wname = 4, wpath = 4;

        for (size_t d = 0; d < ctx->n_dirs; d++) {
                DIR *dir = opendir(ctx->dirs[d].path);
                if (!dir)
                        continue;
                for (struct dirent *de; (de = readdir(dir));) {
                        size_t len = strlen(de->d_name);
                        _cleanup_free_ char *name = NULL;
                        bool seen = false;
                        if (len <= 4 || !streq(de->d_name + len - 4, ".ini"))
                                continue;
                        name = strndup(de->d_name, len - 4);
                        if (!name)
                                abort();
                        if (!filename_safe(name))
                                continue;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = streq(e[i].name, name); /* a higher directory wins */
                        if (seen)
                                continue;
                        e = realloc(e, (n + 1) * sizeof *e);
                        if (!e)
                                abort();
                        e[n++] = (struct entry){TAKE_PTR(name),
                                                xasprintf("%s/%s", ctx->dirs[d].path, de->d_name),
                                                ctx->dirs[d].kind};
                }
                closedir(dir);
        }
        qsort(e, n, sizeof *e, cmp_entry);
        for (size_t i = 0; i < n; i++) {
                wname = strlen(e[i].name) > wname ? strlen(e[i].name) : wname;
                wpath = strlen(e[i].path) > wpath ? strlen(e[i].path) : wpath;
        }
        printf("%-*s  %-*s  %s\n", (int)wname, "NAME", (int)wpath, "FROM", "DESCRIPTION");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *desc = profile_description(e[i].path);
                printf("%-*s  %-*s  %s\n", (int)wname, e[i].name, (int)wpath, e[i].path,
                       desc ? desc : "");
                free(e[i].name);
                free(e[i].path);
        }
        free(e);
        return 0;
}

static int cmd_show(const struct cli *cli, const char *name)
{
        struct cli with_name = *cli;
        struct config *c = NULL;

        if (name && cli->profile)
                return log_error("profile show: give the profile as NAME or as --profile, not "
                                 "both"),
                       EXIT_LAUNCHER;
        if (name)
                with_name.profile = (char *)name;
        if (config_build(&with_name, &c) < 0)
                return EXIT_LAUNCHER;
        printf("# sandbox profile show %s: the effective settings (built-in defaults, then the "
               "profile and its\n# includes, then the command line). Save it as a profile of "
               "your own to start from it.\n",
               c->profile);
        if (config_write_ini(c, stdout) < 0 || fflush(stdout) != 0) {
                config_free(c);
                return log_errno(-EIO, "writing the settings"), EXIT_LAUNCHER;
        }
        config_free(c);
        return 0;
}

static int cmd_check(const struct profile_ctx *ctx, const char *file)
{
        struct config *c = config_new();
        int r = profile_apply(c, file, false, ctx);

        if (r == 0)
                r = config_validate(c);
        config_free(c);
        if (r < 0)
                return EXIT_INVALID;
        printf("%s: ok\n", file);
        return 0;
}

/* A table cell: '|' would end it. */
static void cell(const char *s)
{
        for (; s && *s; s++) {
                if (*s == '|')
                        fputc('\\', stdout);
                fputc(*s, stdout);
        }
}

/* The settings table as Markdown: the reference in docs/profiles.md is this output. */
static int cmd_keys(void)
{
        puts("| section | key | command line | value | meaning |");
        puts("|---|---|---|---|---|");
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (!s->section)
                        continue;
                printf("| `[%s]` | `%s` | ", s->section, s->key);
                if (s->meta != META_PROFILE_KEY)
                        printf("`--%s`", setting_option(s));
                fputs(" | `", stdout);
                cell(s->metavar);
                fputs("` | ", stdout);
                cell(s->help);
                puts(" |");
        }
        return 0;
}

int profile_cmd(const struct cli *cli)
{
        const char *sub = cli->args && cli->args[0] ? cli->args[0] : NULL;
        size_t nargs = strv_length(cli->args);
        struct profile_ctx ctx;
        int code;

        if (!sub)
                return log_error("profile: say list, show [NAME], check FILE or keys"),
                       EXIT_LAUNCHER;
        if (!streq(sub, "show") && (cli->n_values > 0 || cli->profile))
                return log_error("profile %s takes no options", sub), EXIT_LAUNCHER;
        if (streq(sub, "show")) {
                if (nargs > 2)
                        return log_error("profile show [NAME] [OPTIONS]: one NAME at most"),
                               EXIT_LAUNCHER;
                return cmd_show(cli, nargs == 2 ? cli->args[1] : NULL);
        }
        if (streq(sub, "keys")) {
                if (nargs != 1)
                        return log_error("profile keys takes no arguments"), EXIT_LAUNCHER;
                return cmd_keys();
        }
        if (!streq(sub, "list") && !streq(sub, "check"))
                return log_error("profile: unknown '%s' (list, show, check, keys)", sub),
                       EXIT_LAUNCHER;
        if (streq(sub, "list") ? nargs != 1 : nargs != 2)
                return log_error(streq(sub, "list") ? "profile list takes no arguments"
                                                    : "profile check FILE: one FILE"),
                       EXIT_LAUNCHER;
        profile_ctx_init(&ctx);
        code = streq(sub, "list") ? cmd_list(&ctx) : cmd_check(&ctx, cli->args[1]);
        profile_ctx_done(&ctx);
        return code;
}
