/* Messages between the launcher (host) and the sandbox's pid 1 and workload, over one
 * SOCK_SEQPACKET socket pair. The numbered sync points are listed in sandbox.c. */
#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

int sync_send_fds(int fd, enum sync_type type, const int *fds, size_t n)
{
        union {
                char buf[CMSG_SPACE(SYNC_MAX_FDS * sizeof(int))];
                struct cmsghdr align;
        } u;
        struct sync_msg m = {.type = type, .status = (int32_t)n};
        struct iovec iov = {&m, sizeof m};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = u.buf,
                            .msg_controllen = CMSG_SPACE(n * sizeof(int))};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        ssize_t r;

        if (n == 0 || n > SYNC_MAX_FDS)
                return -EINVAL;
        memset(u.buf, 0, sizeof u.buf);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(n * sizeof(int));
        memcpy(CMSG_DATA(c), fds, n * sizeof(int));
        do
                r = sendmsg(fd, &mh, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == (ssize_t)sizeof m ? 0 : -EIO;
}

int sync_recv(int fd, struct sync_msg *ret, pid_t *ret_pid)
{
        return sync_recv_fds(fd, ret, ret_pid, NULL, 0, NULL);
}

int sync_recv_fds(int fd, struct sync_msg *ret, pid_t *ret_pid, int *fds, size_t max, size_t *ret_n)
{
        union {
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(SYNC_MAX_FDS * sizeof(int))];
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
        if (ret_pid)
                *ret_pid = 0;
        if (ret_n)
                *ret_n = 0;
        for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS && ret_pid) {
                        struct ucred cr;
                        memcpy(&cr, CMSG_DATA(c), sizeof cr);
                        *ret_pid = cr.pid;
                } else if (c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int f;
                                memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
                                if (fds && ret_n && *ret_n < max)
                                        fds[(*ret_n)++] = f;
                                else
                                        close(f);
                        }
                }
        }
        if (n == (ssize_t)sizeof *ret)
                return 0;
        for (size_t i = 0; ret_n && i < *ret_n; i++)
                close(fds[i]);
        if (ret_n)
                *ret_n = 0;
        return n == 0 ? -EPIPE : -EBADMSG;
}

int sync_expect(int fd, enum sync_type type)
{
        struct sync_msg m;
        int r = sync_recv(fd, &m, NULL);
        if (r < 0)
                return r;
        return m.type == type ? 0 : -EBADMSG;
}
