/* The one poll(2) set of the helper's loop, rebuilt on every turn: each part of the helper adds
 * its fds and remembers where, then reads its results from the same places. Pure. */
#pragma once

#include <poll.h>
#include <stddef.h>
#include <stdlib.h>

struct pollset {
        struct pollfd *fds;
        size_t n, cap;
};

/* Returns the index of the new entry. Aborts when out of memory, like the launcher. */
static inline int pollset_add(struct pollset *ps, int fd, short events)
{
        if (ps->n == ps->cap) {
                size_t cap = ps->cap ? ps->cap * 2 : 64;
                struct pollfd *n = realloc(ps->fds, cap * sizeof *n);
                if (!n)
                        abort();
                ps->fds = n;
                ps->cap = cap;
        }
        ps->fds[ps->n] = (struct pollfd){.fd = fd, .events = events};
        return (int)ps->n++;
}

static inline short pollset_revents(const struct pollset *ps, int idx)
{
        return idx >= 0 && (size_t)idx < ps->n ? ps->fds[idx].revents : 0;
}
