/* The files a runtime writes into every sandbox: /etc/hostname, /etc/hosts, /etc/resolv.conf.
 * Runs in the child before pivot_root; writes land in the overlay's upper layer only. */
#include "etcfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "resolve.h"
#include "sys.h"

static int write_etc(int rootfd, const char *path, const char *content)
{
        /* Resolved in the image's root: an image whose /etc/hosts is a symlink can only ever
         * send the write somewhere else inside its own (copy-on-write) tree. */
        _cleanup_close_ int fd =
            root_open(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0644);
        if (fd < 0)
                return log_errno(fd, "writing %s in the sandbox", path);
        int r = write_all(fd, content, strlen(content));
        if (r < 0)
                return log_errno(r, "writing %s in the sandbox", path);
        TRACE(0, "etc", "%s written", path);
        return 0;
}

int etcfiles_write(int rootfd, const struct config *c)
{
        char buf[512];
        int r;
        _cleanup_close_ int etc = root_mkdir_nofollow(rootfd, "etc", 0755);

        if (etc < 0)
                return log_errno(etc, "the image's /etc is not a directory");
        snprintf(buf, sizeof buf, "%s\n", c->hostname);
        if ((r = write_etc(rootfd, "/etc/hostname", buf)) < 0)
                return r;
        snprintf(buf, sizeof buf,
                 "127.0.0.1\tlocalhost\n"
                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
                 "127.0.1.1\t%s\n",
                 c->hostname);
        if ((r = write_etc(rootfd, "/etc/hosts", buf)) < 0)
                return r;
        return write_etc(rootfd, "/etc/resolv.conf",
                         "# This sandbox has no network (loopback only): no name servers.\n");
}
