/* The workload's seccomp filter (libseccomp), loaded as the very last step before exec.
 * Runs in the workload process only, after capabilities are dropped and no_new_privs is set;
 * every child of the workload inherits it. */
#pragma once

struct config;

int seccomp_apply(const struct config *c);
