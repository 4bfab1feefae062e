/* The progress bar on stderr while a large image unpacks: drawn only when the launcher asks
 * (stderr is a terminal and not --quiet), and only for images big enough to take a while.
 * Runs in the unpacker (root in the sandbox's user namespace). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Smaller images unpack in a blink: no bar. */
#define PROGRESS_MIN_BYTES (16ULL << 20)

struct progress {
        bool on;    /* asked for (--progress) */
        bool drawn; /* something is on the line */
        const char *what;
        uint64_t total; /* bytes to read, 0 when unknown */
        uint64_t done;
        uint64_t last_ms;
};

/* Starts counting towards total bytes of input. */
void progress_begin(struct progress *p, const char *what, uint64_t total);
/* n more bytes read; redraws at most ten times a second. */
void progress_add(struct progress *p, uint64_t n);
/* Clears the line, so that the command's output starts on a clean one. */
void progress_end(struct progress *p);
