/* The verbs that operate running sandboxes: ps and inspect (ps.c), enter (enter.c), stop and
 * kill (stop.c). Each takes the words after the verb, parses its own options, and returns the
 * exit status. Host side, as the invoking user. */
#pragma once

int verb_ps(char **args);
int verb_inspect(char **args);
int verb_enter(char **args);
int verb_stop(char **args);
int verb_kill(char **args);

/* For the verbs' own option parsing: argv for getopt with "sandbox VERB" as argv[0]. */
char **verb_argv(const char *verb, char **args, int *ret_argc);
/* The usage error of a verb: one line, and 125. */
int verb_usage_error(const char *verb, const char *usage);
