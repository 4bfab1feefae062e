/* The command's environment: reset to a small safe set, plus what the user asks for.
 * Pure, apart from reading the host's TERM and LANG; used by the workload before exec. */
#pragma once

#include <stdint.h>

struct config;

/* PATH, HOME, TERM, LANG, then the config's NAME=VALUE entries (later ones win). */
char **env_build(const struct config *c, const char *home);
/* The same with an image's own Env between the defaults and the config's entries, as docker run
 * does (image_env may be NULL). */
char **env_build_with(const struct config *c, char *const *image_env, const char *home);
/* The value of name in env, or NULL. */
const char *env_get(char *const *env, const char *name);
/* Home directory of uid from passwd text (the image's /etc/passwd), or NULL. Allocated. */
char *passwd_home(const char *passwd, uint32_t uid);
