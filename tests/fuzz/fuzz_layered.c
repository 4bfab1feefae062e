/* libFuzzer target: the input bytes as a docker-save or OCI archive, unpacked by the helper's
 * own layered-image code (manifest and index JSON, digests, layers, whiteouts) into a fresh
 * cache each run. Runs unprivileged; never writes outside its directory. */
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "imgcache.h"
#include "layered.h"
#include "scratch.h"
#include "tree.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cache[PATH_MAX + 8];
static int cache_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        setlocale(LC_CTYPE, "C.UTF-8");
        snprintf(cache, sizeof cache, "%s/c", fuzz_scratch("fuzz_layered"));
        if (mkdir(cache, 0700) < 0)
                abort();
        cache_fd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cache_fd < 0)
                abort();
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
