/* The one table of settings: every profile key and every command-line option, with its parser
 * and help text. It drives getopt, --help, profile parsing, the docs and the completions.
 * Pure: setters only fill a struct config that is still being built. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config;

enum setting_arg {
        ARG_NONE, /* a flag: applied with the value "true" */
        ARG_REQUIRED,
        ARG_OPTIONAL, /* --opt or --opt=VALUE; applied with NULL when absent */
};

/* Options that steer the launcher itself rather than the sandbox; cli.c handles them. */
enum meta_option {
        META_NONE,
        META_HELP,
        META_VERSION,
        META_PROFILE,     /* --profile, and [profile] include */
        META_PROFILE_KEY, /* a key of the profile file itself ([profile] description): no option */
};

struct setting {
        const char *section; /* profile section; NULL for command-line-only options */
        const char *key;     /* profile key */
        const char *option;  /* long option name; NULL when it is the key */
        int short_opt;       /* 0 for none */
        enum setting_arg arg;
        const char *metavar;
        enum meta_option meta;
        /* Parses value into c. On error returns -errno with a message in err (the caller
         * prefixes where the value came from: "file:line:" or "--option:"). */
        int (*apply)(struct config *c, const char *value, char *err, size_t errsize);
        const char *help;
        /* Writes the setting's value in c as profile lines ("key = value\n"), so that applying
         * them to the built-in defaults gives the same value (config_write_ini). NULL for
         * command-line-only and meta options. */
        void (*show)(const struct config *c, const struct setting *s, FILE *f);
};

extern const struct setting settings[];
extern const size_t settings_count;

const struct setting *setting_by_key(const char *section, const char *key);
/* The long option of s ("read-only" for the key read_only). */
const char *setting_option(const struct setting *s);
/* True when section has at least one key in the table. */
bool setting_section_known(const char *section);

/* For setters everywhere: "true/yes/on/1" and "false/no/off/0"; -EINVAL otherwise. */
int setting_parse_bool(const char *value, bool *ret);
/* A yes/no setting: NULL (a flag given without a value) means yes; else setting_parse_bool,
 * with the error in err. */
int setting_set_bool(bool *field, const char *value, char *err, size_t errsize);
/* Replaces *field with a copy of value. */
void setting_set_string(char **field, const char *value);
/* Writes a free-text value for a show function: '$' doubled, as profile values are expanded. */
void setting_write_text(FILE *f, const char *value);
/* Formats the setter's error message and returns -EINVAL. */
int setting_error(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
