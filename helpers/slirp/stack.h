/* The user-mode TCP/IP stack: libslirp between tap0's frames and the host's sockets, with the
 * frame filter in front of it. Runs in the helper, in the host's network namespace. */
#pragma once

#include <stdint.h>

#include "filter.h"
#include "pollset.h"

struct helper_args;
struct forward;
struct stack_timer;
typedef struct Slirp Slirp;

struct stack {
        Slirp *slirp;
        int tap;
        struct filter filter;
        uint8_t *frame;
        size_t frame_size;
        int tap_idx;
        struct stack_timer *timers;
        unsigned long long dropped[4]; /* by filter verdict */
};

/* libslirp for the network of net.h, over the tap fd (made non-blocking here). */
int stack_init(struct stack *s, const struct helper_args *a, int tap);
/* A port published through libslirp (UDP, or TCP with --port-driver=slirp): binds the host
 * socket now. */
int stack_forward(struct stack *s, const struct forward *f);
/* Adds tap0 and libslirp's sockets to the poll set; lowers *timeout_ms to the next timer. */
void stack_fill(struct stack *s, struct pollset *ps, int *timeout_ms);
/* After poll: libslirp's sockets, the sandbox's frames, the timers. */
void stack_handle(struct stack *s, struct pollset *ps, int poll_failed);
