/* A running sandbox named on the command line (id, name or unique id prefix), found through its
 * state record and checked against the live processes before anything acts on it: inspect,
 * enter, stop and kill start here. Runs on the host, as the invoking user. */
#pragma once

#include "record.h"
#include "state.h"

enum {
        TARGET_LAUNCHER = 1 << 0,
        TARGET_PID1 = 1 << 1,
        TARGET_COMMAND = 1 << 2,
};

struct target {
        struct state_dir dir;
        struct state_record rec;
        /* pidfds, each checked against the record (start time, parent, owner): -1 unless asked
         * for. */
        int launcher_fd, pid1_fd, command_fd;
};

/* Finds `ref` among this user's running sandboxes and opens the pidfds asked for in `what`.
 * Says what went wrong in one line; returns 0 or -errno. */
int target_open(const char *ref, unsigned what, struct target *ret);
void target_close(struct target *t);
