/* How many ids the user namespace maps: the owners an image may use are 0..count-1.
 * Runs as root in the sandbox's user namespace, before any mount. */
#include "idcount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "macro.h"

int idcount_parse(const char *text, uint64_t *ret_count)
{
        uint64_t total = 0;
        const char *p = text;

        while (*p) {
                unsigned long long inside, outside, count;
                int used = 0;

                if (sscanf(p, " %llu %llu %llu%n", &inside, &outside, &count, &used) != 3)
                        break;
                total += count;
                p += used;
        }
        while (*p == ' ' || *p == '\n')
                p++;
        if (*p)
                return -EINVAL;
        *ret_count = total;
        return 0;
}

int idcount_read(const char *path, uint64_t *ret_count)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char buf[16384]; /* the kernel caps a map at 340 lines of at most 33 bytes */
        size_t len = 0;
        ssize_t n;

        if (fd < 0)
                return -errno;
        while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                len += (size_t)n;
        }
        buf[len] = 0;
        return idcount_parse(buf, ret_count);
}
