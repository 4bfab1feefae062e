/* The command line: verbs, options (from the settings table) and the positional arguments.
 * Runs on the host before anything else; keeps the raw values so that config_build can apply
 * them after the profile, whatever their order on the command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct setting;

enum verb {
        VERB_RUN,
        VERB_PS,
        VERB_INSPECT,
        VERB_ENTER,
        VERB_STOP,
        VERB_KILL,
        VERB_PROFILE,
        VERB_IMAGE,
        VERB_HELP,
        VERB_VERSION,
};

struct cli_value {
        const struct setting *setting;
        char *value; /* NULL for an optional argument that was not given */
};

struct cli {
        enum verb verb;
        char *profile;            /* --profile, NULL when none */
        struct cli_value *values; /* sandbox settings in command-line order */
        size_t n_values;
        char *image;
        char **argv; /* the command after IMAGE, NULL when none */
        char **args; /* positional arguments of verbs other than run */
};

/* Returns 0, or -EINVAL after printing a usage error. */
int cli_parse(int argc, char **argv, struct cli *ret);
void cli_free(struct cli *c);
void cli_usage(FILE *f);
/* The reserved verb named s, or -1. */
int verb_from_name(const char *s);
/* The name of verb v ("ps"), or NULL past the last one: for the docs and completions. */
const char *verb_name(int v);
