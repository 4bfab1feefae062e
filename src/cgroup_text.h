/* The text formats of cgroup v2 files: /proc/self/cgroup, controller lists, flat "key value"
 * files (cgroup.events, memory.events, cpu.stat, ...). Pure; used on the host and in unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The controllers a sandbox's limits use, as a bit mask. */
enum {
        CG_CPU = 1u << 0,
        CG_IO = 1u << 1,
        CG_MEMORY = 1u << 2,
        CG_PIDS = 1u << 3,
        CG_ALL = CG_CPU | CG_IO | CG_MEMORY | CG_PIDS,
};

/* "cpu", "io", "memory", "pids" for one bit; NULL for anything else. */
const char *cg_controller_name(unsigned bit);
/* A space-separated list as in cgroup.controllers ("cpuset cpu io memory pids") → mask of the
 * controllers above; others are ignored. */
unsigned cg_parse_controllers(const char *s);
/* The mask as words joined by sep, each prefixed by prefix: ("+", " ") gives "+cpu +memory",
 * ("", ", ") gives "cpu, memory". An empty mask gives "". */
void cg_format_controllers(unsigned mask, const char *prefix, const char *sep, char *buf,
                           size_t size);

/* /proc/self/cgroup: the cgroup v2 path ("0::/user.slice/...", without the leading '/'; "" for
 * the root) in *ret_v2 (caller frees; NULL when there is no v2 line), and in *ret_v1 the mask of
 * our controllers that a cgroup v1 hierarchy holds ("4:memory:/", "7:blkio:/" is io). */
int cg_parse_proc_cgroup(const char *text, char **ret_v2, unsigned *ret_v1);

/* The value of `key` in a flat keyed file ("populated 1\nfrozen 0\n"). -ENOENT when absent,
 * -EINVAL when not a number. */
int cg_keyed_get(const char *text, const char *key, uint64_t *ret);

/* True when path (relative, no leading '/') has a component "user@<uid>.service": the tree a
 * systemd user manager owns. */
bool cg_path_in_user_manager(const char *path, unsigned uid);
