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

/* Setup trace: one line per step, with a timestamp relative to launch and the step's duration.
 * Zero cost when off: callers test trace_on() before formatting anything expensive. */
static inline bool trace_on(void)
{
        return log_trace_fd >= 0;
}
void trace_init(int fd, bool json);
unsigned long long trace_now_us(void);
/* since_us: the trace_now_us() value when the step began, 0 for an instant. */
void trace_step(unsigned long long since_us, const char *step, const char *fmt, ...) _printf_(3, 4);

#define TRACE_BEGIN(var) unsigned long long var = trace_on() ? trace_now_us() : 0
#define TRACE(since, step, ...)                                                                    \
        do {                                                                                       \
                if (trace_on())                                                                    \
                        trace_step(since, step, __VA_ARGS__);                                      \
        } while (0)
