/* The command line: verbs, options (from the settings table) and the positional arguments.
 * Runs on the host before anything else; keeps the raw values so that config_build can apply
 * them after the profile, whatever their order on the command line. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "schema.h"
#include "util.h"

static const char *const verb_names[] = {
    [VERB_RUN] = "run",         [VERB_PS] = "ps",       [VERB_INSPECT] = "inspect",
    [VERB_ENTER] = "enter",     [VERB_STOP] = "stop",   [VERB_KILL] = "kill",
    [VERB_PROFILE] = "profile", [VERB_IMAGE] = "image", [VERB_HELP] = "help",
    [VERB_VERSION] = "version",
};

const char *verb_name(int v)
{
        return v >= 0 && (size_t)v < ARRAY_SIZE(verb_names) ? verb_names[v] : NULL;
}

/* Verbs with options of their own (ps, inspect, enter, stop, kill: verbs.h): everything after
 * the verb is theirs to parse. */
static bool verb_owns_options(enum verb v)
{
        return v == VERB_PS || v == VERB_INSPECT || v == VERB_ENTER || v == VERB_STOP ||
               v == VERB_KILL;
}

int verb_from_name(const char *s)
{
        for (size_t i = 0; i < ARRAY_SIZE(verb_names); i++)
                if (streq(s, verb_names[i]))
                        return (int)i;
        return -1;
}

/* Headings of --help, one per section of the table (command-line-only options last). */
static const char *section_heading(const char *section)
{
        static const struct {
                const char *section, *heading;
        } headings[] = {
            {"profile", "Profiles"},
            {"sandbox", "The command"},
            {"namespaces", "Namespaces (user, mount, pid: always new)"},
            {"filesystem", "File system"},
            {"environment", "Environment"},
            {"capabilities", "Capabilities"},
            {"seccomp", "Seccomp filter"},
            {"rlimits", "Resource limits of the process (setrlimit)"},
            {"limits", "Resource limits of the sandbox (cgroup)"},
            {"network", "Network"},
            {"storage", "Storage of the root"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(headings); i++)
                if (section && streq(headings[i].section, section))
                        return headings[i].heading;
        return section ? section : "Launcher";
}

void cli_usage(FILE *f)
{
        const char *heading = NULL;

        fputs("Usage: sandbox [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
              "       sandbox run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
              "       sandbox profile list | show [NAME] [OPTIONS] | check FILE | keys\n"
              "       sandbox image ls | rm IMAGE... | prune [--days N]\n"
              "\n"
              "Runs COMMAND (default: the image's Entrypoint and Cmd, else /bin/sh) as you,\n"
              "without root, in an isolated copy-on-write copy of IMAGE (a rootfs tarball:\n"
              "plain, gzip, xz, zstd, bzip2, lz4 or lzip; a directory; a docker-save or OCI\n"
              "archive or layout, where ARCHIVE:NAME or ARCHIVE@sha256:DIGEST picks an image),\n"
              "with its own user, mount, pid, ipc, uts, cgroup and network namespaces.\n"
              "Options end at IMAGE or at '--'. These words are verbs, not image names: ",
              f);
        for (size_t i = 0; i < ARRAY_SIZE(verb_names); i++)
                fprintf(f, "%s%s", verb_names[i], i + 1 < ARRAY_SIZE(verb_names) ? ", " : "\n");
        fputs("\nSettings come from the built-in defaults, then the profile (--profile, else the\n"
              "one named default), then these options, whatever their order. Every option but\n"
              "the launcher's own is a profile key ([section] key). Options that add to a list\n"
              "can be repeated; an empty value (--bind= , --cap-add=) clears the list first.\n",
              f);
        fputs("\nRunning sandboxes: sandbox ps | inspect ID | enter ID [COMMAND...] | stop ID |\n"
              "kill ID [SIGNAL] (each with --help); ID is an id, a --name, or an id's start.\n",
              f);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                char left[64];
                int n = 0;
                if (s->meta == META_PROFILE_KEY)
                        continue;
                if (s->meta == META_NONE &&
                    !streq(section_heading(s->section), heading ? heading : "")) {
                        heading = section_heading(s->section);
                        fprintf(f, "\n%s%s%s%s:\n", heading, s->section ? " [" : "",
                                s->section ? s->section : "", s->section ? "]" : "");
                } else if (i == 0) {
                        fputs("\nOptions:\n", f);
                }
                if (s->short_opt)
                        n = snprintf(left, sizeof left, "-%c, ", s->short_opt);
                else
                        n = snprintf(left, sizeof left, "    ");
                n += snprintf(left + n, sizeof left - (size_t)n, "--%s", setting_option(s));
                if (s->arg == ARG_REQUIRED)
                        snprintf(left + n, sizeof left - (size_t)n, " %s", s->metavar);
                else if (s->arg == ARG_OPTIONAL)
                        snprintf(left + n, sizeof left - (size_t)n, "[=%s]", s->metavar);
                if (strlen(left) > 28)
                        fprintf(f, "  %s\n  %-28s %s\n", left, "", s->help);
                else
                        fprintf(f, "  %-28s %s\n", left, s->help);
        }
        fputs("\nExit status:\n"
              "  N      the command's own exit status\n"
              "  128+N  the command was killed by signal N\n"
              "  125    the launcher itself failed (bad option, profile, image, setup error)\n"
              "  126    the command exists but cannot be run (not executable, missing ELF\n"
              "         interpreter, another architecture)\n"
              "  127    the command was not found in the sandbox\n",
              f);
}

static void add_value(struct cli *c, const struct setting *s, const char *v)
{
        struct cli_value *nv = realloc(c->values, (c->n_values + 1) * sizeof *nv);
        if (!nv)
                abort();
        c->values = nv;
        c->values[c->n_values++] = (struct cli_value){s, v ? xstrdup(v) : NULL};
}

/* permute: options may come after the positional arguments too (the profile verb's "show
 * NAME --bind ..."); otherwise they end at the first one, which starts the command. */
static int parse_options(int argc, char **argv, struct cli *c, bool permute)
{
        _cleanup_free_ struct option *longopts = xcalloc(settings_count + 1, sizeof *longopts);
        char shortopts[128] = "+";
        size_t so = permute ? 0 : 1, n = 0;
        int opt, idx;

        for (size_t i = 0; i < settings_count && so + 3 < sizeof shortopts; i++) {
                const struct setting *s = &settings[i];
                int has = s->arg == ARG_NONE       ? no_argument
                          : s->arg == ARG_REQUIRED ? required_argument
                                                   : optional_argument;
                if (s->meta == META_PROFILE_KEY)
                        continue;
                longopts[n++] = (struct option){setting_option(s), has, NULL, 256 + (int)i};
                if (s->short_opt) {
                        shortopts[so++] = (char)s->short_opt;
                        if (s->arg == ARG_REQUIRED)
                                shortopts[so++] = ':';
                }
        }
        longopts[n] = (struct option){0};
        shortopts[so] = 0;

        opterr = 0;
        optind = 1;
        while ((opt = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
                const struct setting *s = NULL;
                if (opt == '?' || opt == ':') {
                        if (optopt && optopt < 256)
                                log_error("unknown option '-%c' or missing value (see --help)",
                                          optopt);
                        else
                                log_error("unknown option or missing value '%s' (see --help)",
                                          argv[optind - 1]);
                        return -EINVAL;
                }
                if (opt >= 256)
                        s = &settings[opt - 256];
                else
                        for (size_t i = 0; i < settings_count; i++)
                                if (settings[i].short_opt == opt)
                                        s = &settings[i];
                if (!s)
                        return log_error("internal error: option %d has no setting", opt);
                switch (s->meta) {
                case META_HELP:
                        c->verb = VERB_HELP;
                        break;
                case META_VERSION:
                        c->verb = VERB_VERSION;
                        break;
                case META_PROFILE:
                        if (c->profile)
                                return log_error("--profile given twice; write a profile that "
                                                 "includes both");
                        c->profile = xstrdup(optarg);
                        break;
                case META_PROFILE_KEY:
                        break;
                case META_NONE:
                        add_value(c, s, s->arg == ARG_NONE ? "true" : optarg);
                        break;
                }
        }
        return optind;
}

int cli_parse(int argc, char **argv, struct cli *c)
{
        int first = 1, r, v;

        memset(c, 0, sizeof *c);
        c->verb = VERB_RUN;
        if (argc > 1 && (v = verb_from_name(argv[1])) >= 0) {
                c->verb = (enum verb)v;
                first = 2;
        }
        if (verb_owns_options(c->verb)) {
                for (int i = first; i < argc; i++)
                        strv_push_dup(&c->args, argv[i]);
                return 0;
        }
        /* Let getopt see argv[first-1] as its "program name" so the verb is skipped. */
        r = parse_options(argc - first + 1, argv + first - 1, c, c->verb == VERB_PROFILE);
        if (r < 0)
                return r;
        r += first - 1;
        if (c->verb == VERB_HELP || c->verb == VERB_VERSION)
                return 0;
        if (c->verb != VERB_RUN) {
                for (int i = r; i < argc; i++)
                        strv_push_dup(&c->args, argv[i]);
                return 0;
        }
        if (r >= argc)
                return log_error("no IMAGE given (usage: sandbox [OPTIONS] IMAGE [COMMAND...];"
                                 " see --help)");
        if (first == 1 && verb_from_name(argv[r]) >= 0)
                return log_error("'%s' is a verb; to run an image of that name write ./%s", argv[r],
                                 argv[r]);
        c->image = xstrdup(argv[r]);
        for (int i = r + 1; i < argc; i++)
                strv_push_dup(&c->argv, argv[i]);
        return 0;
}

void cli_free(struct cli *c)
{
        for (size_t i = 0; i < c->n_values; i++)
                free(c->values[i].value);
        free(c->values);
        free(c->profile);
        free(c->image);
        strv_free(c->argv);
        strv_free(c->args);
}
