/* Only the caller's own ids, mapped to 0, in a user namespace it has just entered (see
 * userns_self.h). Runs in the unpacker's unit tests and fuzz targets, unprivileged. */
#include "userns_self.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_text(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));
        int r = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;

        if (fd >= 0)
                close(fd);
        return r;
}

int userns_map_self(uid_t uid, gid_t gid)
{
        char map[64];
        int r;

        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        r = write_text("/proc/self/setgroups", "deny");
        if (r == 0)
                r = write_text("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
        if (r == 0)
                r = write_text("/proc/self/gid_map", map);
        return r;
}
