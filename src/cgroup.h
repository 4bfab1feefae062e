/* A launch's own cgroup, in the user's delegated cgroup v2 subtree: found and planned, created
 * with its limits before the clone, killed, measured and removed after. Runs on the host:
 *
 *   <base>/sandbox-<run id>/          limits (memory.max, pids.max, cpu.max, ...); flock'ed by
 *                                     its launcher; outside the sandbox's cgroup namespace, so
 *                                     nothing inside can ever write it
 *   <base>/sandbox-<run id>/payload/  the sandbox's processes (pid 1 is cloned into it); the
 *                                     root "/" of its cgroup namespace, /sys/fs/cgroup inside
 *
 * <base> is found by cgroup_plan (cgroup_place.c): the launcher's own cgroup when the launcher is
 * alone in a delegated one (it then steps into <base>/launcher-<run id> for the launch, as the
 * no-internal-processes rule wants), else the nearest ancestor in the user's delegated subtree
 * that may have children with controllers; in a systemd user manager's tree, a transient scope
 * with Delegate=yes asked for over D-Bus (cgroup_scope.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct config;

/* What the kernel counted for the whole sandbox, read just before its cgroup is removed. */
struct cgroup_stats {
        bool valid;                                  /* a cgroup was there to read */
        bool has_memory;                             /* memory.peak was there */
        bool has_pids;                               /* pids.peak was there */
        uint64_t memory_peak;                        /* bytes */
        uint64_t usage_usec, user_usec, system_usec; /* cpu.stat */
        uint64_t pids_peak;
        uint64_t oom_kills;   /* memory.events oom_kill */
        uint64_t pids_denied; /* pids.events max: forks refused by pids.max */
};

struct cgroup {
        bool active;      /* this launch has a cgroup (cgroup_create makes it) */
        bool nest_self;   /* the launcher is alone in base: it steps into base/<leaf> */
        bool delegate;    /* the sandbox manages its own subtree (rw /sys/fs/cgroup) */
        unsigned want;    /* controllers to make available to the sandbox's cgroup */
        unsigned hard;    /* ... of which the limits need (the others are for --stats) */
        unsigned dropped; /* controllers of limits dropped under --limits=best-effort */
        uid_t uid;        /* ours: a cgroup is delegated to us when it is this uid's */
        int mnt_fd;       /* the cgroup2 mount, O_PATH */
        const char *mnt_path;
        char *own;  /* the launcher's cgroup at start, relative to the mount ("" is the root) */
        char *top;  /* the top of the user's delegated subtree */
        char *base; /* where the sandbox's cgroup is made */
        unsigned enabled_in_base; /* nest_self: controllers we enabled in base, to undo */
        int base_fd;              /* base, O_RDONLY (flock'ed LOCK_SH while a child is made) */
        int fd;                   /* base/<name>, flock'ed while the launch lives */
        int payload_fd;           /* base/<name>/payload, for clone3(CLONE_INTO_CGROUP) */
        char name[32];            /* sandbox-<run id> */
        char leaf[32];            /* launcher-<run id> */
        struct cgroup_stats stats;
};

void cgroup_init(struct cgroup *cg);

/* Host, before anything is created: decides whether this launch gets a cgroup, and where. A
 * limit that cannot be applied fails here with one line naming what is missing and the fix,
 * or, with --limits=best-effort, is dropped with a warning per limit. May ask the user's
 * systemd manager for a delegated scope, which moves the launcher (the scope goes away with
 * it). Returns 0 or -errno (already reported). */
int cgroup_plan(const struct config *c, struct cgroup *cg);

/* Host, before the clone: makes base/sandbox-<run_id> with the limits and its payload child. */
int cgroup_create(const struct config *c, struct cgroup *cg, const char *run_id);

/* Host: moves pid into the payload cgroup, for kernels without clone3(CLONE_INTO_CGROUP); the
 * child must not have forked yet (it waits for sync 1). */
int cgroup_attach(struct cgroup *cg, pid_t pid);

/* Host, after pid 1 is reaped (or a failed start): kills whatever is left in the cgroup
 * (cgroup.kill, or freeze and kill), waits for "populated 0", reads the stats, removes it, and
 * moves the launcher back where it was. Never fails; warns when something stays behind. */
void cgroup_destroy(struct cgroup *cg);

/* Host, at exit: "killed: out of memory (limit 512M)" when the kernel OOM-killed the command,
 * a warning when it killed other processes or pids.max refused forks, and the --stats line.
 * cmd_signal: the signal that ended the command, 0 if it exited. */
void cgroup_report(const struct config *c, const struct cgroup *cg, int cmd_signal);

void cgroup_close(struct cgroup *cg);

/* Internal to cgroup*.c: a small cgroup file (relative to dirfd) into buf, NUL-terminated;
 * -EFBIG when it does not fit. And one write(2) of text. */
int cg_read(int dirfd, const char *path, char *buf, size_t size);
int cg_write(int dirfd, const char *path, const char *text);
/* Scope request (cgroup_scope.c): true when a systemd user manager looks reachable. */
bool cg_scope_available(void);
/* Asks it for a transient scope with Delegate=yes holding this process; on failure returns
 * -errno with the manager's answer in why. */
int cg_scope_request(char *why, size_t whysize);
