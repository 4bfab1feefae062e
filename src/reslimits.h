/* Resource limits a sandbox asks for (memory, pids, cpu, io): parsed and validated here, from
 * the command line and the profile's [limits] section; applied through the user's delegated
 * cgroup v2 subtree by cgroup.c. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIMIT_UNSET (-1) /* for the int64_t fields: not asked for */
#define LIMIT_MAX   (-2) /* "max": explicitly unlimited */

enum limits_mode {
        LIMITS_STRICT,      /* a limit that cannot be applied is an error */
        LIMITS_BEST_EFFORT, /* ... is dropped with a warning */
};

struct limits {
        int64_t memory_max;      /* bytes */
        int64_t memory_swap_max; /* bytes */
        int64_t pids_max;
        int64_t cpu_quota_us; /* with cpu_period_us: cpu.max; --cpus 1.5 is 150000/100000 */
        int64_t cpu_period_us;
        int64_t cpu_weight; /* 1..10000 */
        int64_t io_weight;  /* 1..10000 */
        char **io_max;      /* "MAJ:MIN rbps=N wbps=N riops=N wiops=N" lines, as cgroup v2 */
        enum limits_mode mode;
        bool delegate; /* the sandbox may manage a nested cgroup subtree of its own */
        bool stats;    /* print peak memory, CPU time and peak pids on exit */
};

void limits_init(struct limits *l);
void limits_free(struct limits *l);
/* True when any limit is asked for. */
bool limits_any(const struct limits *l);
/* True when the launch wants a cgroup of its own: a limit, --cgroup-delegate or --stats. */
bool limits_want_cgroup(const struct limits *l);

/* "512M", "1.5G", "4096", "max" (1024-based suffixes K M G T). */
int limits_parse_size(const char *s, int64_t *ret);
/* "1.5" → quota 150000 us per 100000 us period; "max". */
int limits_parse_cpus(const char *s, int64_t *ret_quota, int64_t *ret_period);
/* "MAJ:MIN key=value..." with keys rbps wbps riops wiops. */
bool limits_io_max_valid(const char *s);

/* A size for people: "512M", "1.5G", "4096" (bytes under 1K), "max". Exact multiples of a unit
 * print without a fraction, as they were most likely given. */
void limits_format_size(int64_t bytes, char *buf, size_t size);
