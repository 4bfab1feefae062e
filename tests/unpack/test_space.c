/* Running out of space: a declared size beyond the free space fails before any write, and a
 * small tmpfs (in a user namespace, when there is one) fails cleanly. Runs unprivileged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static const char *helper;

/* 1 PiB declared: no disk has it free, and the check must come before reading any data. */
static int test_declared_size(void)
{
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL;

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_archive_huge(t_path("huge.tar"), "big", 1ULL << 50) == 0);
        CHECK(t_extract(t_path("huge.tar"), t_path("root"), &o, NULL, &err, NULL) == -ENOSPC);
        /* Silent: the caller names the cache in the one message. */
        CHECK(err && !*err);
        CHECK(!t_exists(t_path("root/big")));
        return 0;
}

static int mount_small(const char *options)
{
        if (mkdir(t_path("small"), 0700) < 0 && errno != EEXIST)
                return -1;
        return mount("tmpfs", t_path("small"), "tmpfs", MS_NOSUID | MS_NODEV, options);
}

/* A tmpfs with 64 inodes: creating the 65th file fails with ENOSPC, not with a generic error. */
static int inodes_in_userns(void)
{
        struct tentry e[201] = {{0}};
        char names[200][8];
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL;

        for (int i = 0; i < 200; i++) {
                snprintf(names[i], sizeof names[i], "f%d", i);
                e[i] = (struct tentry){names[i], 'f', 0, "x"};
        }
        CHECK(t_archive(t_path("many.tar"), "none", "pax", e) == 0);
        CHECK(mount_small("size=1m,nr_inodes=64,mode=0755") == 0);
        CHECK(t_extract(t_path("many.tar"), t_path("small"), &o, NULL, &err, NULL) == -ENOSPC);
        return 0;
}

static int test_inodes(void)
{
        return t_in_userns(inodes_in_userns);
}

/* The helper on a full file system: the one documented line, exit 1, nothing left behind. */
static int helper_in_userns(void)
{
        static char big[600 * 1024];
        const struct tentry e[] = {{"a", 'f', 0, big}, {"b", 'f', 0, big}, T_END};
        char *argv[] = {
            (char *)helper, (char *)t_path("small"), (char *)t_path("big.tar"), "k", "s", NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        char want[4096];

        memset(big, 'b', sizeof big - 1);
        CHECK(t_archive(t_path("big.tar"), "none", "pax", e) == 0);
        CHECK(mount_small("size=1m,mode=0700") == 0);
        CHECK(t_spawn(argv, &out, &err) == 1);
        snprintf(want, sizeof want,
                 "sandbox: no space left on device while unpacking %s into %s (free some space, "
                 "or point XDG_CACHE_HOME elsewhere)\n",
                 argv[2], argv[1]);
        CHECK_MSG(!strcmp(err, want), "got %s", err);
        CHECK(!*out);
        CHECK(t_count_dir(t_path("small/tmp")) == 0 && t_count_dir(t_path("small/images")) == 0);
        return 0;
}

static int test_helper_full(void)
{
        return t_in_userns(helper_in_userns);
}

int main(int argc, char **argv)
{
        static const struct test tests[] = {
            {"declared size beyond free space", test_declared_size},
            {"inode exhaustion on a small tmpfs", test_inodes},
            {"the helper on a full tmpfs", test_helper_full},
        };
        if (argc != 2) {
                fprintf(stderr, "usage: %s SANDBOX_UNPACK\n", argv[0]);
                return 1;
        }
        helper = argv[1];
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
