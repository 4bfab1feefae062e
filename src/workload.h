/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root, or a process of
 * `sandbox enter` that joined the namespaces) and drops every privilege the config does not
 * grant before it execs; seccomp comes last. */
#pragma once

struct config;
struct image_config;
struct seccomp_programs;
struct userns_plan;

/* The steps that make a process the sandbox's command, in this order; `sandbox enter` takes
 * the same ones, so an entered command gets exactly the command's identity and confinement.
 * A layered image's own config (ic; NULL for none) fills the gaps the command line left: User,
 * WorkingDir, Env, Entrypoint and Cmd, by docker run's rules (imgconfig.h); ids checks that the
 * image's User is mapped (NULL: not checked).
 *
 * 1. Signals unblocked, the environment built, bounding set, uid/gid, capabilities, working
 *    directory. Returns the environment for exec, or NULL after saying what failed. */
char **workload_become(const struct config *c, const struct image_config *ic,
                       const struct userns_plan *ids);
/* 2. rlimits, no_new_privs, then the seccomp filter (compiled on the host by seccomp_prepare),
 *    last. */
int workload_confine(const struct config *c, const struct seccomp_programs *filters);
/* 3. exec with the sandbox's PATH; when it fails, says why in plain words and exits 126/127. */
_Noreturn void workload_exec_argv(char *const argv[], char *const env[]);

/* The sandbox's own command: 1, sync 2 (and the --stop-at-entry handshake), 2, 3. */
_Noreturn void workload_exec(const struct config *c, const struct image_config *ic,
                             const struct userns_plan *ids, const struct seccomp_programs *filters,
                             int sync_fd);
