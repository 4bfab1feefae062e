/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root) and drops every
 * privilege the config does not grant before it execs; seccomp comes last. */
#pragma once

struct config;

_Noreturn void workload_exec(const struct config *c, int sync_fd);
