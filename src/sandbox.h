/* One launch: the host-side stages, the clone into new namespaces, supervision and teardown.
 * The child's stages are in child.c; the order of both is the design (see sandbox.c). */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cache.h"
#include "cgroup.h"
#include "image.h"
#include "seccomp_filter.h"
#include "session.h"
#include "nethelper.h"
#include "storage.h"
#include "userns.h"

struct config;

/* Runtime state of a launch; the config is never written. */
struct sandbox {
        const struct config *cfg;
        struct cache cache;
        struct userns_plan ids;
        struct image image;
        struct rundir run;
        struct seccomp_programs seccomp; /* compiled here, installed by the workload */
        struct storage_state storage;    /* the --persist lock, the fuse-overlayfs process */
        int sync_fd[2];                  /* [0]: the launcher's end, [1]: the sandbox's */
        int userns_fd;                   /* holds the user namespace for teardown */
        pid_t pid1;                      /* host pid of the sandbox's init */
        pid_t command;                   /* host pid of the command, once it started */
        int exit_status;
        int exit_signal;
        int got_exit;

        struct cgroup cg;       /* the launch's own cgroup (limits, --stats), when it has one */
        struct session session; /* the record, control socket and status report (session.c) */
        struct rusage rusage;   /* of pid 1 and all it reaped: the sandbox's CPU time */
        bool oom_killed;        /* set by the cgroup code from memory.events */
        struct net_helper net;  /* --net slirp */
        bool net_failed;        /* the helper failed: the launcher's failure, 125 */
};

/* Runs the sandbox to completion; returns the launcher's exit status. */
int sandbox_run(const struct config *c);

/* In the child (child.c). */
_Noreturn void child_main(struct sandbox *sb);
