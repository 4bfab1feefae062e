/* The image cache's on-disk protocol: the per-image lock, stale temporaries, publishing by rename,
 * the index, the shared layers. Runs as root in the sandbox's user namespace, before any mount.
 *
 *   images/KEY/rootfs             a rootfs tarball, unpacked (KEY: its sha256 - MAP_FP)
 *   images/KEY/{layers,config}    a layered image (KEY: its config's sha256 - MAP_FP): the
 *                                 layer directories, lowest first, and its parsed config
 *   images/KEY/meta               what it came from, sizes, when it was unpacked
 *   layers/DIFF/{tree,meta}       one layer (DIFF: the sha256 of its tar - MAP_FP), shared
 *
 * A directory under images/ or layers/ is complete once visible (published by rename) and never
 * changes after; whoever relies on one holds a shared flock on it, and `sandbox image prune`
 * removes only what it can lock exclusively. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "<64 hex digits>-<MAP_FP>" */
#define IMGCACHE_MAP_FP_MAX   32
#define IMGCACHE_STAT_KEY_MAX 200
#define IMGCACHE_KEY_MAX      (64 + 1 + IMGCACHE_MAP_FP_MAX + 1)

/* CACHE_DIR and its subdirectories, every path below relative to these fds. */
struct imgcache {
        const char *path; /* for messages */
        int fd;
        int images, index, tmp, layers; /* O_PATH */
};
#define IMGCACHE_NULL                                                                              \
        {                                                                                          \
                .fd = -1, .images = -1, .index = -1, .tmp = -1, .layers = -1                       \
        }

enum imgcache_kind {
        IMGCACHE_NONE,
        IMGCACHE_ROOTFS, /* images/KEY/rootfs */
        IMGCACHE_LAYERS, /* images/KEY/layers */
};

/* An unpack in progress: tmp/<name>, flock()ed for as long as it exists under that name, so the
 * next unpacker can tell a live one from one that was killed. */
struct imgcache_tmp {
        int parent; /* the cache's tmp/, not owned */
        int fd;     /* the locked directory */
        char name[32];
};
#define IMGCACHE_TMP_NULL                                                                          \
        {                                                                                          \
                .parent = -1, .fd = -1                                                             \
        }

/* A file-name-safe token: [A-Za-z0-9._-], 1 to max characters, not starting with '.'. */
bool imgcache_valid_token(const char *s, size_t max);

/* Opens CACHE_DIR (absolute, ours, mode 0700) and makes images/, index/, tmp/, layers/ if
 * missing. */
int imgcache_open(const char *path, struct imgcache *ret);
void imgcache_close(struct imgcache *c);

/* Takes index/STAT_KEY.lock (LOCK_EX); returns its fd: the lock lasts as long as the fd. */
int imgcache_lock(const struct imgcache *c, const char *stat_key);
/* 1 and the key if index/STAT_KEY names an image of map_fp that is complete, 0 if not. */
int imgcache_lookup(const struct imgcache *c, const char *stat_key, const char *map_fp,
                    char ret_key[IMGCACHE_KEY_MAX]);
/* What images/KEY is, when it is complete. */
enum imgcache_kind imgcache_image_kind(const struct imgcache *c, const char *key);
/* Whether layers/NAME is complete. */
bool imgcache_layer_complete(const struct imgcache *c, const char *name);
/* Takes a shared flock on layers/NAME and returns its fd, after checking it is still there (a
 * prune may have just taken it); -ENOENT when it is not. */
int imgcache_hold_layer(const struct imgcache *c, const char *name);
/* Removes every tmp/ directory whose lock can be taken: its unpacker was killed. */
void imgcache_clean_stale(const struct imgcache *c);

int imgcache_tmp_create(const struct imgcache *c, struct imgcache_tmp *ret);
/* Removes the temporary tree unless it was published; for _cleanup_. */
void imgcache_tmp_discard(struct imgcache_tmp *t);
/* Writes tmp/<name>/FILE (new) with text. */
int imgcache_tmp_write(const struct imgcache_tmp *t, const char *file, const char *text);
/* Makes t visible as images/KEY in one rename, or discards it if images/KEY exists already. */
int imgcache_publish(const struct imgcache *c, struct imgcache_tmp *t, const char *key);
/* The same for a layer: t becomes layers/NAME. */
int imgcache_publish_layer(const struct imgcache *c, struct imgcache_tmp *t, const char *name);
/* Points index/STAT_KEY at key, atomically. */
int imgcache_index(const struct imgcache *c, const char *stat_key, const char *key);
