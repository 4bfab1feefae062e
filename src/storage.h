/* The sandbox's root file system: the image's layers as read-only lowers under a writable layer,
 * mounted by kernel overlayfs in the user namespace, or by fuse-overlayfs where the kernel
 * refuses; the writable layer thrown away at exit or kept in a --persist directory.
 * The mount runs in the child (root in the user namespace); the --persist checks and the
 * fuse-overlayfs process run on the host, in the launcher. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum storage_driver {
        STORAGE_AUTO, /* kernel overlayfs, else fuse-overlayfs (one line says so) */
        STORAGE_OVERLAY,
        STORAGE_FUSE,
};

/* The [storage] settings (part of struct config). */
struct storage_config {
        enum storage_driver driver;
        char *persist; /* as given; NULL: the writable layer lives in the run dir, and dies */
};

/* Runtime state of a launch's storage (part of struct sandbox). */
struct storage_state {
        char *persist_path; /* --persist, resolved: DIR/upper and DIR/work */
        int persist_fd;     /* DIR, flock'ed for the whole run: one sandbox at a time */
        pid_t fuse_pid;     /* the fuse-overlayfs process (a child of the launcher), or 0 */
        int fuse_log;       /* its stderr, a file in the run dir */
};

struct sandbox;
struct cache;

/* Host, before clone: checks and locks the --persist directory (created when missing; refused
 * when it is a symlink, inside the image cache, in use by another sandbox, or holds something
 * else). */
int storage_prepare(const struct storage_config *sc, const struct cache *cache,
                    struct storage_state *ret);
void storage_release(struct storage_state *st);

/* Child, before pivot_root: mounts the root on the run dir's "merged" directory over the image's
 * lower layers (fds, lowest first) and returns an O_PATH fd of it. With fuse-overlayfs, it sends
 * the launcher a SYNC_FUSE message carrying /dev/fuse, upper, work and the lowers (top first),
 * for storage_fuse_serve. */
int storage_mount_root(struct sandbox *sb, const int *lowers, size_t n, const char *image_id);

/* Host: starts fuse-overlayfs serving the mount the child made, from the fds of its SYNC_FUSE
 * message (taken over). It runs in the launcher's pid namespace, where the sandbox cannot see
 * or ptrace it, as root of the sandbox's user namespace, and dies with the launcher. */
int storage_fuse_serve(struct sandbox *sb, int *fds, size_t n);
/* Host: ends it (the sandbox is gone by then) and says why it stopped early, if it did. */
void storage_fuse_stop(struct sandbox *sb);
