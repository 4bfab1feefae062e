/* Seccomp programs: compiled from a recorded list of rules by libseccomp on the host, cached
 * per distinct policy as raw BPF under the user's cache, and installed by the workload with
 * seccomp(2) alone — compiling a hundred rules on three ABIs costs milliseconds, loading a
 * finished program microseconds. */
#pragma once

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECCOMP_MAX_PROGRAMS 2
#define SECCOMP_MAX_ARGS     6

struct seccomp_rule_desc {
        uint32_t action;
        int nr;
        unsigned n;
        struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
};

/* One filter: a default action and its rules, in the order they were added. */
struct seccomp_filter_desc {
        uint32_t default_action;
        struct seccomp_rule_desc *rules;
        size_t n_rules;
};

struct seccomp_programs {
        struct sock_fprog prog[SECCOMP_MAX_PROGRAMS];
        size_t n;
        bool from_cache;
};

void seccomp_desc_add(struct seccomp_filter_desc *f, uint32_t action, int nr, unsigned n,
                      const struct scmp_arg_cmp *cmp);
void seccomp_desc_free(struct seccomp_filter_desc *f);

/* Host: the programs of these filters, from cache_fd's seccomp/ directory when present (cache_fd
 * may be -1: no cache), else compiled and stored there. */
int seccomp_bpf_build(const struct seccomp_filter_desc *f, size_t n, int cache_fd,
                      struct seccomp_programs *ret);
void seccomp_programs_free(struct seccomp_programs *p);

/* Workload: installs the programs in order (no_new_privs must be set). */
int seccomp_install(const struct seccomp_programs *p);
