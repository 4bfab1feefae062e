/* The progress bar on stderr while a large image unpacks: drawn only when the launcher asks
 * (stderr is a terminal and not --quiet), and only for images big enough to take a while.
 * Runs in the unpacker (root in the sandbox's user namespace). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void draw(struct progress *p)
{
        char line[160];
        const char *name = strrchr(p->what, '/');
        unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 0;
        int n;

        name = name ? name + 1 : p->what;
        if (pct > 100)
                pct = 100;
        /* \r and erase-line: one line, rewritten in place. */
        n = snprintf(line, sizeof line, "\r\033[Ksandbox: unpacking %.60s %3u%% (%llu of %llu MB)",
                     name, pct, (unsigned long long)(p->done >> 20),
                     (unsigned long long)(p->total >> 20));
        if (n > 0)
                (void)!write(STDERR_FILENO, line,
                             (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        p->drawn = true;
}

void progress_begin(struct progress *p, const char *what, uint64_t total)
{
        p->what = what;
        p->total = total;
        p->done = 0;
        p->last_ms = now_ms();
        if (p->on && total >= PROGRESS_MIN_BYTES)
                draw(p);
}

void progress_add(struct progress *p, uint64_t n)
{
        uint64_t t;

        p->done += n;
        if (!p->on || p->total < PROGRESS_MIN_BYTES)
                return;
        t = now_ms();
        if (t - p->last_ms < 100)
                return;
        p->last_ms = t;
        draw(p);
}

void progress_end(struct progress *p)
{
        if (!p->drawn)
                return;
        (void)!write(STDERR_FILENO, "\r\033[K", 4);
        p->drawn = false;
}
