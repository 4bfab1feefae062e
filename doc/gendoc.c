/* sandbox-gendoc: writes the man page and the bash, zsh and fish completions from their
 * templates, filling in what the one settings table (src/schema.c) and the verb list (cli.c)
 * say, so that no option or verb can be missing from either when a row is added.
 * Runs at build time, as the builder; never installed.
 *
 *   sandbox-gendoc man|bash|zsh|fish TEMPLATE OUTPUT [NAME=VALUE...]
 *
 * In TEMPLATE, a line "%%OPTIONS%%" becomes the options in the output's language, a line
 * "%%PROFILE_KEYS%%" (man) the profile keys, "%%VERBS%%" anywhere the verbs separated by
 * spaces, and "@NAME@" the VALUE given for NAME. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macro.h"
#include "schema.h"
#include "util.h"

enum value_kind {
        VALUE_NONE,    /* a flag, or free text: nothing to offer */
        VALUE_FILE,    /* a file name */
        VALUE_CHOICES, /* one of the words of the metavar: "strict|best-effort" */
        VALUE_PROFILE, /* a profile name */
};

static const char *long_name(const struct setting *s)
{
        return s->option ? s->option : s->key;
}

static enum value_kind value_kind(const struct setting *s)
{
        const char *m = s->metavar;
        if (s->meta == META_PROFILE)
                return VALUE_PROFILE;
        if (s->arg == ARG_NONE || !m)
                return VALUE_NONE;
        if (strchr(m, '|') && !strpbrk(m, " '[]"))
                return VALUE_CHOICES;
        if (strstr(m, "FILE"))
                return VALUE_FILE;
        return VALUE_NONE;
}

static bool repeatable(const struct setting *s)
{
        return s->help && strstr(s->help, "repeatable");
}

/* "strict|best-effort" → "strict best-effort" */
static void put_choices(FILE *o, const char *m)
{
        for (; *m; m++)
                fputc(*m == '|' ? ' ' : *m, o);
}

/* Text escaped for one shell context: characters in `special` get a backslash; inside a zsh
 * single-quoted word a quote must end the word instead: '\''. */
static void put_escaped(FILE *o, const char *s, const char *special, bool zsh)
{
        for (; *s; s++) {
                if (zsh && *s == '\'') {
                        fputs("'\\''", o);
                        continue;
                }
                if (strchr(special, *s))
                        fputc('\\', o);
                fputc(*s, o);
        }
}

/* Roff: a backslash is \e, a minus \-, and a line never starts with a dot. */
static void put_roff(FILE *o, const char *s, bool minus)
{
        if (*s == '.' || *s == '\'')
                fputs("\\&", o);
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\e", o);
                else if (*s == '-' && minus)
                        fputs("\\-", o);
                else
                        fputc(*s, o);
        }
}

static void verbs(FILE *o)
{
        for (int v = 0; verb_name(v); v++)
                fprintf(o, "%s%s", v ? " " : "", verb_name(v));
}

static void man_options(FILE *o)
{
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                fputs(".TP\n", o);
                if (s->short_opt)
                        fprintf(o, "\\fB\\-%c\\fR, ", s->short_opt);
                fputs("\\fB\\-\\-", o);
                put_roff(o, long_name(s), true);
                fputs("\\fR", o);
                if (s->arg == ARG_REQUIRED) {
                        fputs(" \\fI", o);
                        put_roff(o, s->metavar, false);
                        fputs("\\fR", o);
                } else if (s->arg == ARG_OPTIONAL) {
                        fputs("[=\\fI", o);
                        put_roff(o, s->metavar, false);
                        fputs("\\fR]", o);
                }
                fputc('\n', o);
                put_roff(o, s->help, false);
                fputs(".", o);
                if (s->section)
                        fprintf(o, " Profile key: \\fB[%s] %s\\fR.", s->section, s->key);
                fputc('\n', o);
        }
}

static void man_profile_keys(FILE *o)
{
        const char *section = NULL;
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (!s->section)
                        continue;
                if (!section || !streq(section, s->section)) {
                        section = s->section;
                        fprintf(o, ".SS [%s]\n", section);
                }
                fprintf(o, ".TP\n\\fB%s\\fR = \\fI", s->key);
                put_roff(o, s->arg == ARG_NONE ? "true|false" : s->metavar, false);
                fputs("\\fR\n", o);
                put_roff(o, s->help, false);
                fputs(" (\\fB\\-\\-", o);
                put_roff(o, long_name(s), true);
                fputs("\\fR)\n", o);
        }
}

static void bash_options(FILE *o)
{
        fputs("_sandbox_run_opts='", o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (s->short_opt)
                        fprintf(o, "-%c ", s->short_opt);
                fprintf(o, "--%s%s", long_name(s), i + 1 < settings_count ? " " : "");
        }
        fputs("'\n_sandbox_run_opts_arg='", o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (s->arg != ARG_REQUIRED)
                        continue;
                if (s->short_opt)
                        fprintf(o, "-%c ", s->short_opt);
                fprintf(o, "--%s ", long_name(s));
        }
        fputs("'\n# Completes the value of option $1 from $2.\n_sandbox_run_opt_value() {\n"
              "        case $1 in\n",
              o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                enum value_kind k = value_kind(s);
                if (k == VALUE_NONE)
                        continue;
                fputs("        ", o);
                if (s->short_opt)
                        fprintf(o, "-%c | ", s->short_opt);
                fprintf(o, "--%s) ", long_name(s));
                if (k == VALUE_FILE)
                        fputs("_sandbox_files \"$2\" ;;\n", o);
                else if (k == VALUE_PROFILE)
                        fputs("_sandbox_words \"$(_sandbox_profiles)\" \"$2\" ;;\n", o);
                else {
                        fputs("_sandbox_words '", o);
                        put_choices(o, s->metavar);
                        fputs("' \"$2\" ;;\n", o);
                }
        }
        fputs("        *) return 1 ;;\n        esac\n}\n", o);
}

/* One _arguments spec per option: '(-u --user)'{-u+,--user=}'[help]:UID[\:GID]:action' */
static void zsh_options(FILE *o)
{
        fputs("_sandbox_run_opts=(\n", o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                const char *name = long_name(s);
                const char *arg = s->arg == ARG_REQUIRED ? "=" : s->arg == ARG_OPTIONAL ? "=-" : "";
                enum value_kind k = value_kind(s);

                fputs("  ", o);
                if (repeatable(s))
                        fputs("'*'", o);
                else if (s->short_opt)
                        fprintf(o, "'(-%c --%s)'", s->short_opt, name);
                if (s->short_opt)
                        fprintf(o, "{-%c%s,--%s%s}'", s->short_opt,
                                s->arg == ARG_REQUIRED ? "+" : "", name, arg);
                else
                        fprintf(o, "'--%s%s", name, arg);
                fputc('[', o);
                put_escaped(o, s->help, "[]:\\", true);
                fputc(']', o);
                if (s->arg != ARG_NONE) {
                        fputs(s->arg == ARG_OPTIONAL ? "::" : ":", o);
                        put_escaped(o, s->metavar, "[]:\\", true);
                        fputc(':', o);
                        if (k == VALUE_FILE)
                                fputs("_files", o);
                        else if (k == VALUE_PROFILE)
                                fputs("_sandbox_profiles", o);
                        else if (k == VALUE_CHOICES) {
                                fputc('(', o);
                                put_choices(o, s->metavar);
                                fputc(')', o);
                        } else {
                                fputc(' ', o);
                        }
                }
                fputs("'\n", o);
        }
        fputs(")\n", o);
}

static void fish_options(FILE *o)
{
        fputs("function __sandbox_takes_arg\n    switch $argv[1]\n        case", o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (s->arg != ARG_REQUIRED)
                        continue;
                if (s->short_opt)
                        fprintf(o, " -%c", s->short_opt);
                fprintf(o, " --%s", long_name(s));
        }
        fputs("\n            return 0\n    end\n    return 1\nend\n", o);
        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                enum value_kind k = value_kind(s);
                fputs("complete -c sandbox -n __sandbox_run_options", o);
                if (s->short_opt)
                        fprintf(o, " -s %c", s->short_opt);
                fprintf(o, " -l %s", long_name(s));
                if (s->arg == ARG_REQUIRED)
                        fputs(k == VALUE_FILE ? " -r -F" : " -x", o);
                else if (s->arg == ARG_OPTIONAL && k == VALUE_FILE)
                        fputs(" -F", o);
                if (k == VALUE_CHOICES) {
                        fputs(" -a '", o);
                        put_choices(o, s->metavar);
                        fputc('\'', o);
                } else if (k == VALUE_PROFILE) {
                        fputs(" -a '(__sandbox_profiles)'", o);
                }
                fputs(" -d '", o);
                put_escaped(o, s->help, "'\\", false);
                fputs("'\n", o);
        }
}

/* Substitutes @NAME@ from the NAME=VALUE arguments and %%VERBS%% in one line. */
static void put_line(FILE *o, const char *line, char **defs, int ndefs)
{
        for (const char *p = line; *p;) {
                if (startswith(p, "%%VERBS%%")) {
                        verbs(o);
                        p += 9;
                        continue;
                }
                if (*p == '@') {
                        const char *end = strchr(p + 1, '@');
                        bool done = false;
                        for (int i = 0; end && i < ndefs && !done; i++) {
                                const char *eq = strchr(defs[i], '=');
                                size_t n = (size_t)(end - p - 1);
                                if (eq && (size_t)(eq - defs[i]) == n &&
                                    strncmp(defs[i], p + 1, n) == 0) {
                                        fputs(eq + 1, o);
                                        p = end + 1;
                                        done = true;
                                }
                        }
                        if (done)
                                continue;
                }
                fputc(*p++, o);
        }
}

int main(int argc, char **argv)
{
        char line[4096];
        FILE *in, *out;
        _cleanup_free_ char *tmp = NULL;
        const char *kind;

        if (argc < 4 || !strstr(" man bash zsh fish ", argv[1]) || strchr(argv[1], ' ')) {
                fprintf(stderr, "usage: sandbox-gendoc man|bash|zsh|fish TEMPLATE OUTPUT "
                                "[NAME=VALUE...]\n");
                return 2;
        }
        kind = argv[1];
        in = fopen(argv[2], "re");
        if (!in) {
                fprintf(stderr, "sandbox-gendoc: %s: %s\n", argv[2], strerror(errno));
                return 1;
        }
        tmp = xasprintf("%s.tmp", argv[3]);
        out = fopen(tmp, "we");
        if (!out) {
                fprintf(stderr, "sandbox-gendoc: %s: %s\n", tmp, strerror(errno));
                return 1;
        }
        while (fgets(line, sizeof line, in)) {
                if (streq(line, "%%OPTIONS%%\n")) {
                        if (streq(kind, "man"))
                                man_options(out);
                        else if (streq(kind, "bash"))
                                bash_options(out);
                        else if (streq(kind, "zsh"))
                                zsh_options(out);
                        else
                                fish_options(out);
                } else if (streq(line, "%%PROFILE_KEYS%%\n")) {
                        man_profile_keys(out);
                } else {
                        put_line(out, line, argv + 4, argc - 4);
                }
        }
        fclose(in);
        if (fclose(out) != 0 || rename(tmp, argv[3]) < 0) {
                fprintf(stderr, "sandbox-gendoc: writing %s: %s\n", argv[3], strerror(errno));
                return 1;
        }
        return 0;
}
