/* The one immutable configuration of a launch: built once from built-in defaults < profile <
 * command line (config_build), then only ever read, through a const pointer, by every stage on
 * every side of the privilege boundary. Runtime state (pids, fds) lives in struct sandbox. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "reslimits.h"
#include "storage.h"

/* Docker's default bounding set for root in a container. */
#define CAPS_DOCKER_DEFAULT                                                                        \
        ((1ULL << 0) /* CHOWN */ | (1ULL << 1) /* DAC_OVERRIDE */ | (1ULL << 4) /* FSETID */ |     \
         (1ULL << 3) /* FOWNER */ | (1ULL << 27) /* MKNOD */ | (1ULL << 13) /* NET_RAW */ |        \
         (1ULL << 6) /* SETGID */ | (1ULL << 7) /* SETUID */ | (1ULL << 31) /* SETFCAP */ |        \
         (1ULL << 8) /* SETPCAP */ | (1ULL << 10) /* NET_BIND_SERVICE */ |                         \
         (1ULL << 18) /* SYS_CHROOT */ | (1ULL << 5) /* KILL */ | (1ULL << 29) /* AUDIT_WRITE */)

struct config {
        /* What to run. */
        char *image; /* as given: a path to a tarball or a directory, maybe with :REF or @DIGEST */
        char **argv; /* the command; never empty after config_build */
        bool argv_given;  /* a COMMAND followed IMAGE (else argv is the /bin/sh default) */
        char *entrypoint; /* --entrypoint: replaces a layered image's; "" for none; NULL: keep */

        /* Who runs it, and where. */
        uint32_t uid, gid; /* identity inside; 0:0 is the invoking user */
        bool user_given;   /* --user was given: it beats a layered image's User */
        char *hostname;
        char *workdir; /* NULL: the user's home inside */
        char **env;    /* NAME=VALUE added to the reset environment, later entries win */

        /* What it may do. */
        uint64_t caps_keep; /* bounding set, and the sets of a root command */
        bool read_only;     /* read-only root, fresh tmpfs on /tmp and /run */
        struct limits limits;
        struct storage_config storage;

        /* How the launcher speaks. */
        bool quiet;
        char *trace_path; /* NULL: no trace; "-": stderr */
        bool trace_json;
};

struct cli;

/* Builds the config: defaults, then the profile (when one is named), then the command-line
 * settings in `cli`, then validation. Prints its own errors; returns 0 or -errno. */
int config_build(const struct cli *cli, struct config **ret);
void config_free(struct config *c);
