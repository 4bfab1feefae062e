/* Logging to stderr and the optional setup trace.
 * Runs on every side; writes with one write(2) per line so lines from the launcher, its pid 1
 * and the workload never interleave mid-line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

int log_trace_fd = -1;
bool log_quiet;
static bool trace_json;
static const char *trace_side = "host";
static unsigned long long trace_origin_us;

__attribute__((format(printf, 3, 0))) static void emit(int fd, const char *prefix, const char *fmt,
                                                       va_list ap, int err)
{
        char buf[2048];
        int n = snprintf(buf, sizeof buf, "%s", prefix);
        n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
        if (n >= (int)sizeof buf - 64)
                n = (int)sizeof buf - 64;
        if (err)
                n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(err));
        buf[n++] = '\n';
        (void)!write(fd, buf, (size_t)n);
}

void log_msg(const char *fmt, ...)
{
        va_list ap;
        if (log_quiet)
                return;
        va_start(ap, fmt);
        emit(STDERR_FILENO, "sandbox: ", fmt, ap, 0);
        va_end(ap);
}

void log_warn(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        emit(STDERR_FILENO, "sandbox: warning: ", fmt, ap, 0);
        va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        emit(STDERR_FILENO, "sandbox: ", fmt, ap, r < 0 ? -r : r);
        va_end(ap);
        return r < 0 ? r : -r;
}

int log_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        emit(STDERR_FILENO, "sandbox: ", fmt, ap, 0);
        va_end(ap);
        return -EINVAL;
}

unsigned long long trace_now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

void trace_set_side(const char *side)
{
        trace_side = side;
}

void trace_init(int fd, bool json)
{
        log_trace_fd = fd;
        trace_json = json;
        trace_origin_us = trace_now_us();
}

void trace_step(unsigned long long since_us, const char *step, const char *fmt, ...)
{
        char detail[1024], line[2560];
        unsigned long long now = trace_now_us();
        unsigned long long dur = since_us ? now - since_us : 0;
        va_list ap;
        int n;

        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        if (trace_json) {
                char esc[2048];
                char step_esc[64];
                json_escape_buf(esc, sizeof esc, detail);
                json_escape_buf(step_esc, sizeof step_esc, step);
                n = snprintf(line, sizeof line,
                             "{\"t_us\":%llu,\"dur_us\":%llu,\"side\":\"%s\",\"pid\":%d,"
                             "\"step\":\"%s\",\"detail\":\"%s\"}\n",
                             now - trace_origin_us, dur, trace_side, getpid(), step_esc, esc);
        } else {
                n = snprintf(line, sizeof line, "[%8.3f ms +%7.3f] %-8s %-12s %s\n",
                             (double)(now - trace_origin_us) / 1000.0, (double)dur / 1000.0,
                             trace_side, step, detail);
        }
        if (n > (int)sizeof line)
                n = (int)sizeof line;
        (void)!write(log_trace_fd, line, (size_t)n);
}
