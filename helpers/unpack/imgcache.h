/* The image cache's on-disk protocol: the per-image lock, stale temporaries, publishing by rename,
 * the index. Runs as root in the sandbox's user namespace, before any mount. */
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
        int images, index, tmp; /* O_PATH */
};
#define IMGCACHE_NULL                                                                              \
        {                                                                                          \
                .fd = -1, .images = -1, .index = -1, .tmp = -1                                     \
        }

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

/* Opens CACHE_DIR (absolute, ours, mode 0700) and makes images/, index/, tmp/ if missing. */
int imgcache_open(const char *path, struct imgcache *ret);
void imgcache_close(struct imgcache *c);

/* Takes index/STAT_KEY.lock (LOCK_EX); returns its fd: the lock lasts as long as the fd. */
int imgcache_lock(const struct imgcache *c, const char *stat_key);
/* 1 and the key if index/STAT_KEY names an image of map_fp that is complete, 0 if not. */
int imgcache_lookup(const struct imgcache *c, const char *stat_key, const char *map_fp,
                    char ret_key[IMGCACHE_KEY_MAX]);
/* Removes every tmp/ directory whose lock can be taken: its unpacker was killed. */
void imgcache_clean_stale(const struct imgcache *c);

int imgcache_tmp_create(const struct imgcache *c, struct imgcache_tmp *ret);
/* Removes the temporary tree unless it was published; for _cleanup_. */
void imgcache_tmp_discard(struct imgcache_tmp *t);
int imgcache_write_meta(const struct imgcache_tmp *t, const char *source, uint64_t size,
                        uint64_t entries);
/* Makes t visible as images/KEY in one rename, or discards it if images/KEY exists already. */
int imgcache_publish(const struct imgcache *c, struct imgcache_tmp *t, const char *key);
/* Points index/STAT_KEY at key, atomically. */
int imgcache_index(const struct imgcache *c, const char *stat_key, const char *key);
