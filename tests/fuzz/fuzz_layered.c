/* libFuzzer target: the input bytes as a docker-save or OCI archive, unpacked by the helper's
 * own layered-image code (manifest and index JSON, digests, layers, whiteouts) into a fresh
 * cache each run. Runs unprivileged; never writes outside its directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "imgcache.h"
#include "layered.h"
#include "tree.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[PATH_MAX], cache[PATH_MAX + 8];
static int cache_fd = -1;
static bool mounted;

static int write_text(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

        if (fd >= 0)
                close(fd);
        return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* As fuzz_unpack: a 32 MiB tmpfs of its own where user namespaces allow it, so that bombs end
 * in ENOSPC within milliseconds; only the caller's ids, mapped to 0. */
static void small_tmpfs(void)
{
        char map[64];
        unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                fprintf(stderr, "fuzz_layered: no user namespace (%s); runs write to %s\n",
                        strerror(errno), base);
                return;
        }
        snprintf(map, sizeof map, "0 %u 1\n", uid);
        if (write_text("/proc/self/setgroups", "deny") < 0 ||
            write_text("/proc/self/uid_map", map) < 0)
                abort();
        snprintf(map, sizeof map, "0 %u 1\n", gid);
        if (write_text("/proc/self/gid_map", map) < 0 ||
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *tmp = getenv("TMPDIR");

        setlocale(LC_CTYPE, "C.UTF-8");
        snprintf(base, sizeof base, "%s/fuzz_layered.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(base))
                abort();
        small_tmpfs();
        snprintf(cache, sizeof cache, "%s/c", base);
        if (mkdir(cache, 0700) < 0)
                abort();
        cache_fd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cache_fd < 0)
                abort();
        atexit(remove_base);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct imgcache c = IMGCACHE_NULL;
        const struct extract_opts o = {
            .image = "fuzz", .skip_chown = true, .max_entries = 2000, .layer = true};
        struct progress pr = {0};
        /* The first byte may ask for an image by name, as IMAGE:NAME does. */
        struct layered_args a = {"fuzz", size > 0 && (data[0] & 1) ? "a:1" : NULL, "s", &o, &pr};
        char key[IMGCACHE_KEY_MAX];
        int fd = memfd_create("image", MFD_CLOEXEC);

        if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
                abort();
        if (imgcache_open(cache, &c) < 0)
                abort();
        (void)layered_from_archive(&c, fd, &a, key);
        imgcache_close(&c);
        close(fd);
        /* Everything went into the cache, and all of it can be removed again. */
        if (tree_remove_contents(cache_fd) < 0)
                abort();
        return 0;
}
