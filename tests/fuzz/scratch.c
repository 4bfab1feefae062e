/* The scratch directory of the unpacker's fuzz targets (see scratch.h). Runs in the fuzz
 * targets, unprivileged; writes nowhere else. */
#include "scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "tree.h"
#include "userns_self.h"

static char base[PATH_MAX];
static bool mounted;

static void small_tmpfs(const char *name)
{
        uid_t uid = geteuid();
        gid_t gid = getegid();

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                fprintf(stderr, "%s: no user namespace (%s); runs write to %s\n", name,
                        strerror(errno), base);
                return;
        }
        if (userns_map_self(uid, gid) < 0 ||
            mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "size=32m,mode=0700") < 0)
                abort();
        mounted = true;
}

static void remove_base(void)
{
        if (mounted)
                (void)umount2(base, MNT_DETACH);
        (void)tree_remove_at(AT_FDCWD, base);
}

const char *fuzz_scratch(const char *name)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(base, sizeof base, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
        if (!mkdtemp(base))
                abort();
        small_tmpfs(name);
        atexit(remove_base);
        return base;
}
