/* Logging to stderr and the optional setup trace.
 * Used on every side of the privilege boundary; never touches the config. */
#pragma once

#include <stdbool.h>
#include "macro.h"

/* The only global state of the program: how loud to be and where the trace goes. */
extern int log_trace_fd;
extern bool log_quiet;

void log_msg(const char *fmt, ...) _printf_(1, 2);
void log_warn(const char *fmt, ...) _printf_(1, 2);
/* Prints "sandbox: <msg>: <strerror(-r)>" and returns r (negative errno), so a stage can
 * `return log_errno(r, "...")`. */
int log_errno(int r, const char *fmt, ...) _printf_(2, 3);
/* Prints "sandbox: <msg>" and returns -EINVAL. */
int log_error(const char *fmt, ...) _printf_(1, 2);

/* Setup trace (--trace[=FILE], --trace-json): one line per step, in the order they happen, with
 * the time since launch, the step's duration, the side that took it and the step's name:
 *
 *   [   4.174 ms +  0.012] child    mount        proc on /proc (nosuid,nodev,noexec)
 *   {"t_us":4174,"dur_us":12,"side":"child","pid":1,"step":"mount","detail":"proc on ..."}
 *
 * Zero cost when off: TRACE tests trace_on() before formatting anything (and a build with
 * -DSANDBOX_TRACE=OFF compiles every step out). The side is where the code runs: host (the
 * launcher), child (root in the user namespace, building the sandbox), init (pid 1), workload
 * (the command's process before its exec). Step names, one word, shared by every area:
 *
 *   config      defaults < profile < command line    profile    each profile file read
 *   image       cache hit or miss, unpack            state      record and control socket
 *   seccomp     rules compiled (or the cached BPF),  clone      the sandbox's pid 1 created
 *               installed                            namespace  one per namespace: name:[inode]
 *   idmap       maps written: helper and extents     cgroup     created, each limit written
 *   net         network helper started, ready        child      the child's stages begin
 *   mount       TYPE SOURCE on TARGET (FLAGS)        mask       a path hidden, and with what
 *   storage     the root's driver and its layers     mounts     the profile's mounts applied
 *   dir, symlink, etc   a profile's directory or link; a generated /etc file
 *   pivot_root  the old root detached                hostname   the name set
 *   caps        bounding and effective sets          identity   uid, gid, working directory
 *   no_new_privs                                     exec       the resolved path and argv
 *   started     the command's host pid               stop-at-entry
 *   control     `sandbox enter` served               exit       the command's status
 *   teardown    each step of cleaning up
 *
 * A detail is plain words for a person reading it; TRACE_BEGIN/TRACE(t, ...) give a step its
 * duration. */
#ifdef SANDBOX_NO_TRACE
static inline bool trace_on(void)
{
        return false;
}
#else
static inline bool trace_on(void)
{
        return log_trace_fd >= 0;
}
#endif
void trace_init(int fd, bool json);
/* Which side this process is (see above); set where a process changes side. */
void trace_set_side(const char *side);
unsigned long long trace_now_us(void);
/* since_us: the trace_now_us() value when the step began, 0 for an instant. */
void trace_step(unsigned long long since_us, const char *step, const char *fmt, ...) _printf_(3, 4);

#define TRACE_BEGIN(var) unsigned long long var = trace_on() ? trace_now_us() : 0
#define TRACE(since, step, ...)                                                                    \
        do {                                                                                       \
                if (trace_on())                                                                    \
                        trace_step(since, step, __VA_ARGS__);                                      \
        } while (0)
