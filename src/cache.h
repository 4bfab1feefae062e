/* The per-user cache ($XDG_CACHE_HOME/sandbox): unpacked images and per-run directories.
 *
 *   images/<sha256>-<map>/rootfs   an unpacked tarball, never modified once published
 *   images/<sha256>-<map>/layers   a layered image: its layer directories (and its config)
 *   layers/<diff id>-<map>/tree    one layer, shared by every image that has it
 *   index/<stat key>               symlink → <sha256>-<map>: a cache hit costs one readlink
 *   tmp/                           unpacks in progress (flock'ed by their unpacker)
 *   run/<id>/{upper,work,merged}   one launch's writable layer (flock'ed by its launcher)
 *
 * helpers/unpack/imgcache.h has the protocol; a launch holds a shared flock on the image it
 * runs (images/<key>), which `sandbox image rm|prune` respects.
 *
 * Opened on the host; the run-dir sweep runs as root in a user namespace (see sandbox.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct cache {
        int fd;
        char *path;
};

struct rundir {
        char id[17];
        int fd; /* the directory itself, flock'ed while the launch lives */
};

/* Creates the cache (0700) and its subdirectories when missing. */
int cache_open(struct cache *ret);
void cache_close(struct cache *c);

/* The index name of a tarball: its stat identity plus the id-map fingerprint. */
void cache_stat_key(const struct stat *st, const char *map_fp, char *buf, size_t size);
/* Looks a stat key up. On a hit returns 1 with the image's key (its name under images/); 0 on a
 * miss. */
int cache_lookup(const struct cache *c, const char *stat_key, char **ret_key);

int rundir_create(const struct cache *c, struct rundir *ret);
void rundir_close(struct rundir *r);
/* Removes run/<own_id> and every run dir whose launcher is gone. Returns -EACCES or -EPERM when
 * something belongs to a mapped id: then call it again as root of a user namespace with the
 * user's map. */
int rundir_sweep(int cache_fd, const char *own_id);
