/* libFuzzer target: the input bytes as an image, unpacked by the helper's own extraction code
 * into a fresh directory each run. Runs unprivileged; never writes outside its directory. */
#include <archive.h>
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
#include <sys/mount.h>
#include <unistd.h>

#include "extract.h"
#include "tree.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[PATH_MAX];
static int base_fd = -1;
static bool mounted;

static int write_text(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

        if (fd >= 0)
                close(fd);
        return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Where user namespaces allow it, the runs write to a 32 MiB tmpfs of their own: decompression
 * bombs then end in ENOSPC within milliseconds instead of filling the disk. */
static void small_tmpfs(void)
{
        char map[64];
        unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                fprintf(stderr, "fuzz_unpack: no user namespace (%s); runs write to %s\n",
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

        /* As the helper does: pax names are UTF-8. */
        setlocale(LC_CTYPE, "C.UTF-8");
        snprintf(base, sizeof base, "%s/fuzz_unpack.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(base))
                abort();
        small_tmpfs();
        base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base_fd < 0)
                abort();
        atexit(remove_base);
        return 0;
}

static void extract(const uint8_t *data, size_t size, int rootfd)
{
        const struct extract_opts o = {.image = "fuzz", .skip_chown = true, .max_entries = 2000};
        struct archive *a = archive_read_new();
        struct extract_stats stats;

        if (!a || extract_support(a) < 0)
                abort();
        if (archive_read_open_memory(a, data, size) == ARCHIVE_OK)
                (void)extract_archive(a, rootfd, &o, &stats);
        else
                (void)extract_open_failed(a, o.image);
        archive_read_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        int rootfd, left;

        if (mkdirat(base_fd, "root", 0755) < 0)
                abort();
        rootfd = openat(base_fd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                abort();
        extract(data, size, rootfd);
        close(rootfd);
        /* Everything went into root/, and all of it can be removed again. */
        if (tree_remove_at(base_fd, "root") < 0)
                abort();
        left = openat(base_fd, "root", O_PATH | O_CLOEXEC);
        if (left >= 0 || errno != ENOENT)
                abort();
        return 0;
}
