/* Profiles: INI files (read with inih) that choose a sandbox's settings. Finding them by name,
 * reading them with their includes, expanding ${VARIABLES}, and saying what is wrong with
 * file:line. Runs on the host, as the invoking user, while the config is built. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct config;

enum profile_var {
        PROFILE_VAR_HOME,
        PROFILE_VAR_USER,
        PROFILE_VAR_UID,
        PROFILE_VAR_XDG_RUNTIME_DIR,
        PROFILE_VAR_PWD,
        _PROFILE_VAR_COUNT,
};

#define PROFILE_DIRS_MAX 4

struct profile_dir {
        char *path;
        const char *kind; /* "user", "system", "shipped" */
};

/* What a profile may depend on besides its text: the values of its variables and where
 * profiles are found. profile_ctx_init takes them from this process; tests set their own. */
struct profile_ctx {
        char *vars[_PROFILE_VAR_COUNT];            /* NULL: not set */
        struct profile_dir dirs[PROFILE_DIRS_MAX]; /* highest priority first */
        size_t n_dirs;
};

void profile_ctx_init(struct profile_ctx *ctx);
void profile_ctx_done(struct profile_ctx *ctx);
extern const char *const profile_var_names[_PROFILE_VAR_COUNT];

/* A name or a path: a path has a '/' or ends in ".ini" (a relative one is relative to the
 * current directory); a name is looked up in ctx's directories as NAME.ini. Returns 0 with
 * the file's path and its directory's kind ("path" for a path), or -ENOENT / -EINVAL. */
int profile_find(const struct profile_ctx *ctx, const char *name, char **ret_path,
                 const char **ret_kind);

/* Applies the profile (and its includes, where they appear) to c. Prints every error as
 * "FILE:LINE: ..." and returns -EINVAL after them; -ENOENT, printed too, when there is no
 * such profile. */
/* implicit: the profile named "default" applied without --profile; its absence is no error (the
 * built-in defaults are the same settings). */
int profile_apply(struct config *c, const char *name, bool implicit, const struct profile_ctx *ctx);
/* The same for a profile's text; display names it in messages, relative includes are relative
 * to base_dir. */
int profile_apply_text(struct config *c, const char *text, size_t len, const char *display,
                       const char *base_dir, const struct profile_ctx *ctx);

/* [profile] description of a profile file, or NULL. */
char *profile_description(const char *path);

/* ${HOME} ${USER} ${UID} ${XDG_RUNTIME_DIR} ${PWD} in, expanded; "$$" is a '$'. */
int profile_expand(const struct profile_ctx *ctx, const char *in, char **ret, char *err,
                   size_t errsize);
