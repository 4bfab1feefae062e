/* The launcher's control socket: the launcher hands pid 1's namespaces (and a pidfd of it) to
 * `sandbox enter` of the same user, over SCM_RIGHTS. Host side, both ends. */
#include "control.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "state.h"

#define CONTROL_MAGIC 0x73627831u /* "sbx1" */
#define CONTROL_NFDS  (1 + NS_COUNT)

struct control_msg {
        uint32_t magic;
        uint32_t nfds;
        int32_t pid1, command;
};

/* A path through the directory's fd: sun_path holds 108 bytes, a cache path may hold more. */
static int socket_addr(int dirfd, const char *id, struct sockaddr_un *ret)
{
        char name[32];
        state_socket_name(id, name);
        memset(ret, 0, sizeof *ret);
        ret->sun_family = AF_UNIX;
        if (snprintf(ret->sun_path, sizeof ret->sun_path, "/proc/self/fd/%d/%s", dirfd, name) >=
            (int)sizeof ret->sun_path)
                return -ENAMETOOLONG;
        return 0;
}

int control_listen(int dirfd, const char *id)
{
        struct sockaddr_un addr;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int r;

        if (fd < 0)
                return -errno;
        if ((r = socket_addr(dirfd, id, &addr)) < 0)
                return r;
        if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 8) < 0)
                return -errno;
        return TAKE_FD(fd);
}

void control_answer(int listen_fd, const struct control_reply *what)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * CONTROL_NFDS)];
                struct cmsghdr align;
        } u;
        struct control_msg m = {CONTROL_MAGIC, CONTROL_NFDS, what->pid1, what->command};
        struct iovec iov = {&m, sizeof m};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        struct ucred cred;
        socklen_t len = sizeof cred;
        int fds[CONTROL_NFDS];
        _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (conn < 0)
                return;
        /* The state directory is 0700 already; the peer's uid is checked all the same. */
        if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid())
                return;
        fds[0] = what->pid1_fd;
        memcpy(fds + 1, what->ns_fd, sizeof(int) * NS_COUNT);
        for (int i = 0; i < CONTROL_NFDS; i++)
                if (fds[i] < 0)
                        return;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof fds);
        memcpy(CMSG_DATA(c), fds, sizeof fds);
        (void)sendmsg(conn, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        TRACE(0, "control", "handed pid 1's namespaces to pid %d (sandbox enter)", cred.pid);
}

void control_reply_close(struct control_reply *r)
{
        closep(&r->pid1_fd);
        for (int i = 0; i < NS_COUNT; i++)
                closep(&r->ns_fd[i]);
}

int control_ask(int dirfd, const char *id, pid_t launcher, struct control_reply *ret)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * CONTROL_NFDS)];
                struct cmsghdr align;
        } u;
        struct control_msg m;
        struct iovec iov = {&m, sizeof m};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        struct sockaddr_un addr;
        struct ucred cred;
        socklen_t len = sizeof cred;
        struct timeval tv = {5, 0};
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        struct cmsghdr *c;
        ssize_t n;
        int r;

        ret->pid1_fd = -1;
        for (int i = 0; i < NS_COUNT; i++)
                ret->ns_fd[i] = -1;
        if (fd < 0)
                return -errno;
        if ((r = socket_addr(dirfd, id, &addr)) < 0)
                return r;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
                return -errno;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (cred.pid != launcher || cred.uid != getuid())
                return -EPERM;
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? -ETIMEDOUT : -errno;
        c = CMSG_FIRSTHDR(&mh);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[CONTROL_NFDS];
                if (nfds == CONTROL_NFDS) {
                        memcpy(fds, CMSG_DATA(c), sizeof fds);
                        ret->pid1_fd = fds[0];
                        memcpy(ret->ns_fd, fds + 1, sizeof(int) * NS_COUNT);
                } else {
                        int *p = (int *)CMSG_DATA(c);
                        for (size_t i = 0; i < nfds; i++)
                                close(p[i]);
                }
        }
        if (n != (ssize_t)sizeof m || m.magic != CONTROL_MAGIC || m.nfds != CONTROL_NFDS ||
            ret->pid1_fd < 0 || (mh.msg_flags & MSG_CTRUNC)) {
                control_reply_close(ret);
                return -EBADMSG;
        }
        ret->pid1 = m.pid1;
        ret->command = m.command;
        return 0;
}
