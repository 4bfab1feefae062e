/* The command's environment: reset to a small safe set, plus what the user asks for.
 * Pure, apart from reading the caller's variables that the config keeps (TERM and LANG by
 * default); used by the workload before exec. */
#pragma once

#include <stdint.h>

struct config;

/* PATH and HOME (unless env_clear), the kept variables of the caller (TERM, LANG), the
 * config's NAME=VALUE entries (later ones win), then env_unset removes names. */
char **env_build(const struct config *c, const char *home);
/* The same with an image's own Env after the kept variables and before the config's entries, as
 * docker run does (image_env may be NULL). */
char **env_build_with(const struct config *c, char *const *image_env, const char *home);
/* The value of name in env, or NULL. */
const char *env_get(char *const *env, const char *name);
/* Removes (and frees) every name=... entry of env, a NULL-terminated vector (NULL allowed). */
void env_remove(char **env, const char *name);
/* Home directory of uid from passwd text (the image's /etc/passwd), or NULL. Allocated. */
char *passwd_home(const char *passwd, uint32_t uid);
/* Login name of uid from passwd text, or NULL. Allocated. */
char *passwd_name(const char *passwd, uint32_t uid);

/* The invoking user's login name and home from the host's /etc/passwd (never NSS), else from
 * $USER and $HOME; NULL when neither says. Allocated. */
char *host_user_name(void);
char *host_user_home(void);
