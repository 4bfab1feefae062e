/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root) and drops every
 * privilege the config does not grant before it execs; seccomp comes last. */
#pragma once

struct config;
struct seccomp_programs;

/* filters: compiled on the host (seccomp_prepare), installed here last. */
_Noreturn void workload_exec(const struct config *c, const struct seccomp_programs *filters,
                             int sync_fd);
