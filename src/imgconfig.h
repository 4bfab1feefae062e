/* A layered image's own config (Entrypoint, Cmd, Env, WorkingDir, User), as the unpacker wrote
 * it to images/<key>/config, and how it combines with the command line the way `docker run`
 * does. Pure: parsed in the child, applied by the workload. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

struct image_config {
        bool present; /* a layered image: its config counts; else nothing below is set */
        char **entrypoint, **cmd, **env;
        char *workdir, *user;
};

/* Parses the unpacker's format: "KEY VALUE" lines (entrypoint, cmd, env repeated in order;
 * workdir, user once), the value escaped as \\ \n \t \xNN; '#' lines are comments.
 * -EINVAL for anything else. */
int imgconfig_parse(const char *text, struct image_config *ret);
void imgconfig_free(struct image_config *ic);

/* The command to run, by docker run's rules: --entrypoint (c->entrypoint, "" for none) replaces
 * the image's Entrypoint and then drops its Cmd; a COMMAND after IMAGE replaces Cmd; the result
 * is entrypoint + command; with nothing at all, c->argv (/bin/sh). Allocated. */
char **imgconfig_argv(const struct config *c, const struct image_config *ic);

/* The working directory: --workdir, else the image's WorkingDir, else NULL (the user's home). */
const char *imgconfig_workdir(const struct config *c, const struct image_config *ic);

/* Resolves a docker User ("name", "uid", "name:group", "uid:gid"...) against the image's
 * /etc/passwd and /etc/group texts (either may be NULL). A name alone takes the user's primary
 * group; an unknown numeric uid gets gid 0. On error returns -EINVAL with a message in err. */
int imgconfig_user(const char *spec, const char *passwd, const char *group, uint32_t *ret_uid,
                   uint32_t *ret_gid, char *err, size_t errsize);
