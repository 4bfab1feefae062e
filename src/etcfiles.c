/* The files a runtime provides in every sandbox: /etc/hostname, /etc/hosts, /etc/resolv.conf.
 * Runs in the child before pivot_root: written into a tmpfs over the run dir, then bind-mounted
 * over the image's own, so an image whose /etc belongs to an unmapped owner needs no copy-up. */
#include "etcfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "resolve.h"
#include "sys.h"
#include "util.h"

/* The image's file, resolved inside the image (a symlinked /etc/resolv.conf stays inside it),
 * created empty when missing. */
static int open_target(int rootfd, const char *path)
{
        struct stat st;
        int fd = root_open(rootfd, path, O_PATH, 0);
        if (fd == -ENOENT) {
                fd = root_open(rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY, 0644);
                if (fd >= 0) {
                        close(fd);
                        fd = root_open(rootfd, path, O_PATH, 0);
                }
        }
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EISDIR;
        }
        return fd;
}

/* Returns 1 when the image's file could not be covered (the caller warns once for all). */
static int provide(int rootfd, const char *rundir, const char *path, const char *content)
{
        const char *base = strrchr(path, '/') + 1;
        _cleanup_free_ char *src = xasprintf("%s/%s", rundir, base);
        _cleanup_close_ int target = -1;
        int r;

        r = write_file_at(AT_FDCWD, src, content, O_CREAT | O_TRUNC, 0644);
        if (r < 0)
                return log_errno(r, "writing %s", src);
        target = open_target(rootfd, path);
        if (target < 0) {
                TRACE(0, "etc", "cannot provide %s: %s", path, strerror(-target));
                return 1;
        }
        r = mount_on_fd(src, target, NULL, MS_BIND, NULL);
        if (r < 0)
                return log_errno(r, "bind-mounting %s", path);
        TRACE(0, "mount", "bind %s on %s", src, path);
        return 0;
}

int etcfiles_setup(int rootfd, const char *rundir, const struct config *c)
{
        char hostname[128], hosts[512];
        _cleanup_free_ char *host_resolv = NULL, *resolv = NULL;
        int r, missed = 0;

        /* Before pivot_root, the host's is still in view: --net slirp names its DNS forwarder
         * for the host's name servers, --net host copies it. */
        (void)read_file_at(AT_FDCWD, "/etc/resolv.conf", 1 << 16, &host_resolv, NULL);
        resolv = net_resolv_conf(&c->net, host_resolv);

        /* In memory, not on the disk of the cache: a tmpfs over the run dir, in our mount
         * namespace only. The root's overlay already holds its upper and work directories
         * there, and the host still sees the run dir as it was. On a busy file system each file
         * created and removed again costs a launch a fraction of a millisecond. */
        if (mount("sandbox-etc", rundir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=256k,mode=0755") == 0)
                TRACE(0, "mount", "tmpfs on %s (nosuid,nodev,noexec,size=256k; for the /etc files)",
                      rundir);
        else
                TRACE(0, "etc", "no tmpfs for the /etc files (%s): written into the run dir",
                      strerror(errno));

        snprintf(hostname, sizeof hostname, "%s\n", c->hostname);
        snprintf(hosts, sizeof hosts,
                 "127.0.0.1\tlocalhost\n"
                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
                 "127.0.1.1\t%s\n",
                 c->hostname);
        const struct {
                const char *path, *content;
        } files[] = {
            {"/etc/hostname", hostname},
            {"/etc/hosts", hosts},
            {"/etc/resolv.conf", resolv},
        };
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                r = provide(rootfd, rundir, files[i].path, files[i].content);
                if (r < 0)
                        return r;
                missed += r;
        }
        /* A read-only image, or an /etc owned by an id not mapped here: go on with the
         * image's own files. */
        if (missed)
                log_warn("the image's /etc cannot take hostname, hosts and resolv.conf (owned by "
                         "an id outside your map?); its own files are used");
        return 0;
}
