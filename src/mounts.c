/* The profile's mounts ([filesystem] bind, ro_bind, dev_bind, tmpfs, symlink, dir), in the
 * config's order (parents first). Runs in the child, root in the user namespace, after /proc
 * /dev /sys and before pivot_root: bind sources are host paths, opened here by path (the
 * child's mount namespace is a copy of the host's); every target is resolved inside the new
 * root without following its symlinks. */
#include "mounts.h"

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
#include "mountspec.h"
#include "resolve.h"
#include "util.h"

static int target_error(const struct mount_entry *m, int r)
{
        if (r == -ELOOP)
                return log_errno(r,
                                 "%s: %s: a component of the path is a symlink (or a file) in "
                                 "the image; give the path it points to",
                                 m->origin, m->target);
        return log_errno(r, "%s: creating %s in the sandbox", m->origin, m->target);
}

static int bind_one(int rootfd, const struct mount_entry *m)
{
        _cleanup_close_ int src = open(m->source, O_PATH | O_CLOEXEC), target = -1, mnt = -1;
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID};
        struct stat st;
        int r;

        if (src < 0)
                return log_errno(-errno, "%s: opening %s", m->origin, m->source);
        if (fstat(src, &st) < 0)
                return log_errno(-errno, "%s: %s", m->origin, m->source);
        target = S_ISDIR(st.st_mode) ? root_mkdir_nofollow(rootfd, m->target, 0755)
                                     : root_mkfile_nofollow(rootfd, m->target, 0644);
        if (target < 0)
                return target_error(m, target);
        r = bind_fd_on_fd(src, target, MS_REC);
        if (r < 0)
                return log_errno(r, "%s: binding %s on %s", m->origin, m->source, m->target);
        /* Look the target up again to reach the new mount, not the directory below it. */
        mnt = root_open(rootfd, m->target, O_PATH | O_NOFOLLOW, 0);
        if (mnt < 0)
                return log_errno(mnt, "%s: reopening %s", m->origin, m->target);
        if (m->kind != MOUNT_DEV_BIND)
                attr.attr_set |= MOUNT_ATTR_NODEV;
        if (m->kind == MOUNT_RO_BIND)
                attr.attr_set |= MOUNT_ATTR_RDONLY;
        /* Recursive: the mounts below the source (a bind of / has many) get the flags too. */
        if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
                return log_errno(-errno, "%s: setting %s%s on %s (mount_setattr needs Linux 5.12)",
                                 m->origin, m->kind == MOUNT_RO_BIND ? "ro," : "",
                                 m->kind == MOUNT_DEV_BIND ? "nosuid" : "nosuid,nodev", m->target);
        TRACE(0, "mount", "%s %s on %s (%snosuid%s)", mount_kind_key(m->kind), m->source, m->target,
              m->kind == MOUNT_RO_BIND ? "ro," : "", m->kind == MOUNT_DEV_BIND ? "" : ",nodev");
        return 0;
}

static int tmpfs_one(int rootfd, const struct mount_entry *m)
{
        _cleanup_close_ int target = root_mkdir_nofollow(rootfd, m->target, 0755);
        char data[64] = "";
        int n = 0, r;

        if (target < 0)
                return target_error(m, target);
        if (m->mode != MOUNT_MODE_DEFAULT)
                n = snprintf(data, sizeof data, "mode=%o", m->mode);
        if (m->size)
                snprintf(data + n, sizeof data - (size_t)n, "%ssize=%llu", n ? "," : "",
                         (unsigned long long)m->size);
        r = mount_on_fd("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, *data ? data : NULL);
        if (r < 0)
                return log_errno(r, "%s: mounting tmpfs on %s", m->origin, m->target);
        TRACE(0, "mount", "tmpfs on %s (nosuid,nodev%s%s)", m->target, *data ? "," : "", data);
        return 0;
}

static int dir_one(int rootfd, const struct mount_entry *m)
{
        _cleanup_close_ int target =
            root_mkdir_nofollow(rootfd, m->target, m->mode != MOUNT_MODE_DEFAULT ? m->mode : 0755);
        char path[64];

        if (target < 0)
                return target_error(m, target);
        /* mkdir's mode passed through the umask, and an existing directory keeps its own. */
        snprintf(path, sizeof path, "/proc/self/fd/%d", target);
        if (m->mode != MOUNT_MODE_DEFAULT && chmod(path, m->mode) < 0)
                return log_errno(-errno, "%s: chmod %04o %s", m->origin, m->mode, m->target);
        TRACE(0, "dir", "%s", m->target);
        return 0;
}

static int symlink_one(int rootfd, const struct mount_entry *m)
{
        _cleanup_free_ char *parent = xstrdup(m->target);
        _cleanup_close_ int dir = -1;
        char *slash = strrchr(parent, '/'), existing[4096];
        const char *name = slash + 1;
        ssize_t n;

        *slash = 0;
        dir = root_mkdir_nofollow(rootfd, parent, 0755);
        if (dir < 0)
                return target_error(m, dir);
        if (symlinkat(m->source, dir, name) == 0) {
                TRACE(0, "symlink", "%s -> %s", m->target, m->source);
                return 0;
        }
        if (errno != EEXIST)
                return log_errno(-errno, "%s: creating the symlink %s", m->origin, m->target);
        n = readlinkat(dir, name, existing, sizeof existing - 1);
        if (n >= 0 && (size_t)n == strlen(m->source) && memcmp(existing, m->source, (size_t)n) == 0)
                return 0;
        return log_errno(-EEXIST, "%s: %s exists in the image", m->origin, m->target);
}

int mounts_apply(int rootfd, const struct config *c)
{
        int r = 0;
        TRACE_BEGIN(t);

        for (size_t i = 0; i < c->n_mounts && r == 0; i++) {
                const struct mount_entry *m = &c->mounts[i];
                switch (m->kind) {
                case MOUNT_BIND:
                case MOUNT_RO_BIND:
                case MOUNT_DEV_BIND:
                        r = bind_one(rootfd, m);
                        break;
                case MOUNT_TMPFS:
                        r = tmpfs_one(rootfd, m);
                        break;
                case MOUNT_DIR:
                        r = dir_one(rootfd, m);
                        break;
                case MOUNT_SYMLINK:
                        r = symlink_one(rootfd, m);
                        break;
                default:
                        r = log_error("internal error: mount kind %d", m->kind);
                }
        }
        if (c->n_mounts)
                TRACE(t, "mounts", "%zu from the profile and the command line", c->n_mounts);
        return r;
}
