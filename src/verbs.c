/* What the verbs that operate running sandboxes share: their own getopt, their usage errors.
 * Host side. */
#include "verbs.h"

#include <getopt.h>
#include <stdio.h>

#include "log.h"
#include "macro.h"
#include "util.h"

char **verb_argv(const char *verb, char **args, int *ret_argc)
{
        size_t n = strv_length(args);
        char **argv = xcalloc(n + 2, sizeof(char *));
        argv[0] = (char *)verb;
        for (size_t i = 0; i < n; i++)
                argv[i + 1] = args[i];
        *ret_argc = (int)n + 1;
        /* cli_parse ran getopt already: start over, and report errors ourselves. */
        optind = 0;
        opterr = 0;
        return argv;
}

int verb_usage_error(const char *verb, const char *usage)
{
        log_error("usage: %s (see sandbox %s --help)", usage, verb);
        return EXIT_LAUNCHER;
}
