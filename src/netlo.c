/* The loopback interface of the sandbox's own network namespace.
 * Runs in the child (root in the user namespace, which owns the network namespace). */
#include "netlo.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

int net_loopback_up(void)
{
        struct ifreq ifr = {0};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return log_errno(-errno, "socket for the loopback interface");
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return log_errno(-errno, "reading the loopback interface");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return log_errno(-errno, "bringing the loopback interface up");
        TRACE(0, "net", "lo up");
        return 0;
}
