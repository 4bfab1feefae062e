/* One launch: the host-side stages, the clone into new namespaces, supervision and teardown.
 * The child's stages are in child.c; the order of both is the design (see sandbox.c). */
#pragma once

#include <sys/types.h>

#include "cache.h"
#include "image.h"
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
        struct storage_state storage; /* the --persist lock, the fuse-overlayfs process */
        int sync_fd[2];               /* [0]: the launcher's end, [1]: the sandbox's */
        int userns_fd;                /* holds the user namespace for teardown */
        pid_t pid1;                   /* host pid of the sandbox's init */
        pid_t command;                /* host pid of the command, once it started */
        int exit_status;
        int exit_signal;
        int got_exit;
};

/* Runs the sandbox to completion; returns the launcher's exit status. */
int sandbox_run(const struct config *c);

/* In the child (child.c). */
_Noreturn void child_main(struct sandbox *sb);
