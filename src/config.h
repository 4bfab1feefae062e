/* The one immutable configuration of a launch: built once from built-in defaults < profile <
 * command line (config_build), then only ever read, through a const pointer, by every stage on
 * every side of the privilege boundary. Runtime state (pids, fds) lives in struct sandbox. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "net.h"
#include "reslimits.h"
#include "storage.h"

/* Mounts a profile or the command line adds to the sandbox ([filesystem]). */
enum mount_kind {
        MOUNT_BIND,     /* host path, writable */
        MOUNT_RO_BIND,  /* host path, read-only */
        MOUNT_DEV_BIND, /* host device node or directory of them, devices usable */
        MOUNT_TMPFS,
        MOUNT_SYMLINK,
        MOUNT_DIR,
        _MOUNT_KIND_MAX,
};

#define MOUNT_MODE_DEFAULT UINT32_MAX

struct mount_entry {
        enum mount_kind kind;
        char *source;  /* binds: the host path; symlink: the link's target; else NULL */
        char *target;  /* absolute, normalized path inside the sandbox */
        uint64_t size; /* tmpfs: bytes, 0 for the kernel's default (half of RAM) */
        uint32_t mode; /* tmpfs, dir: permission bits, or MOUNT_MODE_DEFAULT */
        char *origin;  /* where it was asked for ("web.ini:12", "--bind"), for messages */
};

/* [seccomp]: the workload's filter. The built-in deny table is in seccomp_filter.c. */
struct seccomp_rule; /* seccomp_rules.h */
struct seccomp_settings {
        bool enabled;
        bool default_deny; /* an allow list: what is not allowed fails with errno_value */
        int errno_value;   /* for the deny list, the rules without an action, the allow list */
        bool log;          /* log instead of denying (SCMP_ACT_LOG), to find what an app needs */
        char **allow;      /* syscall names: lifted from the deny table, or the allow list */
        char **deny;       /* syscall names added to the deny list */
        struct seccomp_rule *rules; /* argument conditions, in order */
        size_t n_rules;
};

/* [rlimits]: setrlimit(2) in the workload before exec. */
#define RLIMIT_COUNT 16
struct rlimit_setting {
        bool set;
        uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};
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
        char *workdir;    /* NULL: the user's home inside */
        char **env;       /* NAME=VALUE added to the reset environment, later entries win */
        char **env_keep;  /* names (or PREFIX*) of the caller's variables passed through */
        char **env_unset; /* names removed at the end, defaults included */
        bool env_clear;   /* no PATH and HOME defaults */

        /* Namespaces that may be shared with the host (user, mount, pid are always new). */
        struct {
                bool ipc, uts, cgroup;
        } ns;

        /* What it may do. */
        uint64_t caps_keep;         /* bounding set, and the sets of a root command */
        uint64_t caps_ambient;      /* of those, what a non-root command gets (ambient set) */
        bool read_only;             /* read-only root, fresh tmpfs on /tmp and /run */
        struct mount_entry *mounts; /* sorted by the depth of their target: parents first */
        size_t n_mounts;
        struct seccomp_settings seccomp;
        struct rlimit_setting rlimits[RLIMIT_COUNT]; /* by RLIMIT_* number */
        struct limits limits;
        struct net_config net; /* [network]: net.h */
        struct storage_config storage;

        /* Where it came from: the profile's name or path as given ("default" when none). */
        char *profile;

        /* How the launcher speaks. */
        bool quiet;
        char *trace_path; /* NULL: no trace; "-": stderr */
        bool trace_json;

        /* Operating it while it runs (session.c): ps, inspect, enter, stop, kill. */
        char *name;         /* --name, NULL: none (the id still names it) */
        char *status_json;  /* --status-json: a FILE, or "fd:N" */
        bool stop_at_entry; /* stop the command at its first instruction, for a debugger */
};

struct cli;
struct setting;

/* Builds the config: defaults, then the profile (--profile, else the profile named default
 * when there is one), then the command-line settings in `cli`, then validation. Prints its
 * own errors and warnings; returns 0 or -errno. */
int config_build(const struct cli *cli, struct config **ret);
void config_free(struct config *c);

/* The built-in defaults alone (what the shipped profile "default" spells out). */
struct config *config_new(void);
/* Applies one setting with its value; origin ("file:line" or "--option") prefixes the error
 * it prints, and the warning for a valid but dangerous setting. Returns 0 or -errno. */
int config_apply(struct config *c, const struct setting *s, const char *value, const char *origin);
/* Checks that need the whole config (e.g. an allow rule needs default = deny). */
int config_validate(struct config *c);

/* Writes the config's sandbox settings as a profile (INI) that rebuilds it: one line per key
 * of the settings table, lists preceded by an empty assignment that clears them. */
int config_write_ini(const struct config *c, FILE *f);
