/* The host's side of a published port (see forward.h). Runs in the helper, in the host's network
 * namespace. */
#include "forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "helper.h"
#include "macro.h"

int forward_bind(const struct forward *f, int type)
{
        struct sockaddr_storage ss = {0};
        socklen_t len;
        _cleanup_close_ int fd = -1;
        int on = 1;

        if (f->v6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons(f->host_port);
                inet_pton(AF_INET6, f->host_addr, &a->sin6_addr);
                len = sizeof *a;
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                a->sin_family = AF_INET;
                a->sin_port = htons(f->host_port);
                inet_pton(AF_INET, f->host_addr, &a->sin_addr);
                len = sizeof *a;
        }
        fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (type == SOCK_STREAM)
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        /* [::]:PORT is IPv6 only: 0.0.0.0:PORT is published on its own, as written. */
        if (f->v6)
                (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (bind(fd, (struct sockaddr *)&ss, len) < 0)
                return -errno;
        return TAKE_FD(fd);
}
