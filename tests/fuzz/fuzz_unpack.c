/* libFuzzer target: the input bytes as an image, unpacked by the helper's own extraction code
 * into a fresh directory each run. Runs unprivileged; never writes outside its directory. */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "extract.h"
#include "scratch.h"
#include "tree.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int base_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        /* As the helper does: pax names are UTF-8. */
        setlocale(LC_CTYPE, "C.UTF-8");
        base_fd = open(fuzz_scratch("fuzz_unpack"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base_fd < 0)
                abort();
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
