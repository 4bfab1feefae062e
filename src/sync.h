/* Messages between the launcher (host) and the sandbox's pid 1 and workload, over one
 * SOCK_SEQPACKET socket pair. The numbered sync points are listed in sandbox.c. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

enum sync_type {
        SYNC_IDS_MAPPED = 1, /* launcher → child: uid/gid maps written (sync 1) */
        SYNC_STARTED,        /* workload → launcher: about to exec (sync 3); sender = its pid */
        SYNC_EXIT,           /* pid 1 → launcher: the command ended; status and signal */
        SYNC_TRACER_READY,   /* launcher → workload, --stop-at-entry only: it traces us */
        SYNC_NET_READY,      /* launcher → child: --net slirp is up (sync 2) */
        SYNC_FUSE,           /* pid 1 → launcher: serve this fuse mount (fds: see storage.h) */
};

/* The most file descriptors one message carries (SCM_MAX_FD is 253). */
#define SYNC_MAX_FDS 160

struct sync_msg {
        uint32_t type;
        int32_t status; /* SYNC_EXIT: exit status, or -1 when killed */
        int32_t signal; /* SYNC_EXIT: the signal that killed it, or 0 */
};

int sync_send(int fd, enum sync_type type, int32_t status, int32_t signal);
/* Receives one message. -EPIPE when the other side is gone. With SO_PASSCRED on fd, *ret_pid
 * is the sender's pid as the receiver sees it (the host pid, for the launcher). */
int sync_recv(int fd, struct sync_msg *ret, pid_t *ret_pid);
/* A message with file descriptors (SCM_RIGHTS); status is their number. */
int sync_send_fds(int fd, enum sync_type type, const int *fds, size_t n);
/* sync_recv that also takes the descriptors a message carries (close-on-exec), at most max; the
 * others are closed. *ret_n is how many were taken. */
int sync_recv_fds(int fd, struct sync_msg *ret, pid_t *ret_pid, int *fds, size_t max,
                  size_t *ret_n);
/* Waits for one message of the given type; anything else, or EOF, is an error. */
int sync_expect(int fd, enum sync_type type);
