/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root) and drops every
 * privilege the config does not grant before it execs; seccomp comes last. */
#pragma once

struct config;
struct image_config;
struct userns_plan;

/* Runs the command: the config's, with a layered image's own config filling the gaps the
 * command line left (Entrypoint, Cmd, Env, WorkingDir, User: docker run's rules, imgconfig.h). */
_Noreturn void workload_exec(const struct config *c, const struct image_config *ic,
                             const struct userns_plan *ids, int sync_fd);
