/* Id maps: from /etc/subuid-style text to the extents written into /proc/PID/{u,g}id_map.
 * Pure logic (no system calls), shared by the launcher and the unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel accepts at most 340 lines in a map. */
#define IDMAP_MAX_EXTENTS 340

struct id_extent {
        uint32_t inside;
        uint32_t outside;
        uint32_t count;
};

struct id_map {
        struct id_extent ext[IDMAP_MAX_EXTENTS];
        size_t n;
        uint32_t total; /* ids 0..total-1 exist inside */
};

/* Build the map for one user: 0 inside is self_id; then every range of `subid` (the text of
 * /etc/subuid or /etc/subgid, may be NULL) whose first field is user_name or the decimal
 * self_id follows at 1, 2, ... in file order. Malformed lines are skipped, as shadow's
 * newuidmap does. Returns the number of subordinate ids found (0: single-id map). */
uint32_t idmap_build(const char *subid, const char *user_name, uint32_t self_id,
                     struct id_map *ret);

/* Whether `inside` is mapped. */
bool idmap_contains(const struct id_map *m, uint32_t inside);

/* Kernel uid_map text: one "inside outside count" line per extent. */
int idmap_format(const struct id_map *m, char *buf, size_t size);

/* A short file-name-safe fingerprint of the map, e.g. "s" (single id) or "r200000-65536"; the
 * image cache keys unpacked trees by it, since their owners on disk depend on the map. */
void idmap_fingerprint(const struct id_map *m, char *buf, size_t size);
