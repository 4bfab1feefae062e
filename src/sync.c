/* Messages between the launcher (host) and the sandbox's pid 1 and workload, over one
 * SOCK_SEQPACKET socket pair. The numbered sync points are listed in sandbox.c. */
#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int sync_send(int fd, enum sync_type type, int32_t status, int32_t signal)
{
        struct sync_msg m = {.type = type, .status = status, .signal = signal};
        ssize_t n;
        do
                n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return n == (ssize_t)sizeof m ? 0 : -EIO;
}

int sync_recv(int fd, struct sync_msg *ret, pid_t *ret_pid)
{
        union {
                char buf[CMSG_SPACE(sizeof(struct ucred))];
                struct cmsghdr align;
        } u;
        struct iovec iov = {ret, sizeof *ret};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        ssize_t n;

        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -EPIPE;
        if (n != (ssize_t)sizeof *ret)
                return -EBADMSG;
        if (ret_pid) {
                *ret_pid = 0;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                                struct ucred cr;
                                memcpy(&cr, CMSG_DATA(c), sizeof cr);
                                *ret_pid = cr.pid;
                        }
        }
        return 0;
}

int sync_expect(int fd, enum sync_type type)
{
        struct sync_msg m;
        int r = sync_recv(fd, &m, NULL);
        if (r < 0)
                return r;
        return m.type == type ? 0 : -EBADMSG;
}
