/* The workload's seccomp policy: described and compiled on the host (seccomp_prepare, before
 * clone, so the child inherits the programs), installed by the workload as the very last step
 * before exec (seccomp_bpf.h: seccomp_install). */
#pragma once

#include "seccomp_bpf.h"

struct config;

/* Builds the programs the config asks for (none when seccomp is off), from the cache under
 * cache_fd when this exact policy was compiled before. */
int seccomp_prepare(const struct config *c, int cache_fd, struct seccomp_programs *ret);
