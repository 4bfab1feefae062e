/* The launcher's control socket, <id>.sock in the state directory: how `sandbox enter` gets the
 * namespaces of a running sandbox from the one process that holds them for sure, its launcher.
 * (Pid 1 is not dumpable, so nobody outside can open its /proc/PID/ns; the launcher opened them
 * right after clone, when pid 1 could not yet have been anything else.)
 * Host side, both ends: the launcher answers, `sandbox enter` asks. */
#pragma once

#include <sys/types.h>

#include "record.h"

struct control_reply {
        pid_t pid1, command;
        int pid1_fd;         /* a pidfd of pid 1 */
        int ns_fd[NS_COUNT]; /* pid 1's namespaces, in ns_names order */
};

/* The launcher: a listening, non-blocking socket bound at <id>.sock in dirfd. */
int control_listen(int dirfd, const char *id);
/* The launcher: answers one waiting connection if its peer is the same user, without ever
 * blocking (a stuck client must not stall the sandbox's supervision). */
void control_answer(int listen_fd, const struct control_reply *what);

/* `sandbox enter`: connects to <id>.sock, checks that the peer is `launcher` and the same
 * user, and receives the reply. -ECONNREFUSED/-ENOENT when nobody listens, -EPERM when the
 * peer is someone else, -ETIMEDOUT when the launcher does not answer (stopped?). */
int control_ask(int dirfd, const char *id, pid_t launcher, struct control_reply *ret);
void control_reply_close(struct control_reply *r);
