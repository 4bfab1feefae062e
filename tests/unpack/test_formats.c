/* What the unpacker reads: every compression and tar flavour, the hash of the raw bytes, and the
 * clear errors for truncated and non-tar files. Runs unprivileged, without a user namespace. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static const struct tentry tree[] = {{"./", 'd'},
                                     {"etc/", 'd'},
                                     {"etc/hostname", 'f', 0, "box\n"},
                                     {"bin/sh", 'f', 0755, "#!ELF"},
                                     {"bin/ash", 'l', 0, NULL, "sh"},
                                     {"bin/dash", 'h', 0, NULL, "bin/sh"},
                                     T_END};

static int check_tree(void)
{
        struct stat a, b;
        _cleanup_free_ char *host = t_read_file(t_path("root/etc/hostname"), NULL);

        CHECK(host && !strcmp(host, "box\n"));
        CHECK(lstat(t_path("root/bin/ash"), &a) == 0 && S_ISLNK(a.st_mode));
        CHECK(stat(t_path("root/bin/sh"), &a) == 0 && stat(t_path("root/bin/dash"), &b) == 0);
        CHECK(a.st_ino == b.st_ino && (a.st_mode & 07777) == 0755);
        return 0;
}

/* Each filter and format unpacks the same tree, and the key is the sha256 of the file's bytes. */
static int test_variants(void)
{
        static const char *filters[] = {"none", "gzip", "xz", "zstd", "bzip2", "lz4", "lzip"};
        static const char *formats[] = {"pax", "ustar", "gnutar"};
        struct extract_opts o = t_opts();

        for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++)
                for (size_t g = 0; g < sizeof formats / sizeof formats[0]; g++) {
                        char hex[65], want[65];
                        int r;

                        CHECK(mkdir(t_path("root"), 0755) == 0);
                        CHECK(t_archive(t_path("a"), filters[f], formats[g], tree) == 0);
                        r = t_extract(t_path("a"), t_path("root"), &o, NULL, NULL, hex);
                        CHECK_MSG(r == 0, "%s/%s: %d", filters[f], formats[g], r);
                        r = check_tree();
                        if (r != 0)
                                return t_fail(__FILE__, __LINE__, "%s/%s", filters[f], formats[g]);
                        CHECK(t_sha256_file(t_path("a"), want) == 0 && !strcmp(hex, want));
                        CHECK(tree_remove_at(AT_FDCWD, t_path("root")) == 0);
                }
        return 0;
}

/* Bytes after the end-of-archive blocks are part of the file, so part of its hash. */
static int test_trailing_bytes_hashed(void)
{
        struct extract_opts o = t_opts();
        char hex[65], want[65], before[65];
        FILE *f;

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_archive(t_path("a.tar"), "none", "pax", tree) == 0);
        CHECK(t_sha256_file(t_path("a.tar"), before) == 0);
        CHECK((f = fopen(t_path("a.tar"), "ae")) != NULL);
        for (int i = 0; i < 100000; i++)
                fputs("trailing garbage ", f);
        CHECK(fclose(f) == 0);
        CHECK(t_extract(t_path("a.tar"), t_path("root"), &o, NULL, NULL, hex) == 0);
        CHECK(t_sha256_file(t_path("a.tar"), want) == 0);
        CHECK(!strcmp(hex, want) && strcmp(hex, before) != 0);
        return 0;
}

static int expect_error(const char *file, const char *needle)
{
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL;

        CHECK(t_extract(file, t_path("root"), &o, NULL, &err, NULL) < 0);
        CHECK_MSG(t_one_line_with(err, needle), "%s: got %s", file, err);
        return 0;
}

static int truncate_half(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return -1;
        return truncate(path, st.st_size / 2);
}

static int test_truncated(void)
{
        static const char *filters[] = {"none", "gzip", "xz", "zstd"};
        static char big[300000];
        const struct tentry e[] = {{"big", 'f', 0, big}, {"after", 'f', 0, "x"}, T_END};

        memset(big, 'x', sizeof big - 1);
        CHECK(mkdir(t_path("root"), 0755) == 0);
        for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
                CHECK(t_archive(t_path("t"), filters[i], "pax", e) == 0);
                CHECK(truncate_half(t_path("t")) == 0);
                /* After 0 entries when the half left is too short for the decompressor. */
                CHECK(expect_error(t_path("t"), "sandbox: test.tar: corrupt or truncated archive "
                                                "after ") == 0);
                CHECK(!t_exists(t_path("root/after")));
        }
        return 0;
}

static int test_not_tar(void)
{
        static const char text[] = "this is not a tarball, just some text in a file\n";
        const struct tentry one[] = {{"x", 'f', 0, text}, T_END};

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_write_file(t_path("text"), text, sizeof text) == 0);
        CHECK(expect_error(t_path("text"), "sandbox: test.tar: not a tar archive (") == 0);
        /* A compressed file that holds no tar. */
        CHECK(t_archive(t_path("x.zip"), "none", "zip", one) == 0);
        CHECK(expect_error(t_path("x.zip"), "sandbox: test.tar: not a tar archive (") == 0);
        CHECK(t_write_file(t_path("empty"), "", 0) == 0);
        CHECK(expect_error(t_path("empty"), "sandbox: test.tar: not a tar archive (") == 0);
        CHECK(t_count_dir(t_path("root")) == 0);
        return 0;
}

/* End-of-archive blocks and nothing else: no image in it. */
static int test_no_entries(void)
{
        static const char zeros[1024];

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_write_file(t_path("z.tar"), zeros, sizeof zeros) == 0);
        CHECK(expect_error(t_path("z.tar"), "the archive has no entries") == 0);
        return 0;
}

/* A sparse entry: holes stay holes, the size is the declared one. */
static int test_sparse(void)
{
        struct extract_opts o = t_opts();
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        static char data[8192];
        _cleanup_free_ char *got = NULL;
        struct stat st;
        size_t len;

        memset(data, 'a', sizeof data);
        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(archive_write_set_format_pax(a) == ARCHIVE_OK);
        CHECK(archive_write_open_filename(a, t_path("sparse.tar")) == ARCHIVE_OK);
        archive_entry_set_pathname(e, "sparse");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 8 << 20);
        archive_entry_sparse_add_entry(e, 0, 4096);
        archive_entry_sparse_add_entry(e, 4 << 20, 4096);
        CHECK(archive_write_header(a, e) == ARCHIVE_OK);
        CHECK(archive_write_data(a, data, sizeof data) == (la_ssize_t)sizeof data);
        CHECK(archive_write_close(a) == ARCHIVE_OK);
        archive_entry_free(e);
        archive_write_free(a);
        CHECK(t_extract(t_path("sparse.tar"), t_path("root"), &o, NULL, NULL, NULL) == 0);
        CHECK(stat(t_path("root/sparse"), &st) == 0 && st.st_size == 8 << 20);
        CHECK_MSG(st.st_blocks * 512 <= 256 * 1024, "%lld blocks", (long long)st.st_blocks);
        got = t_read_file(t_path("root/sparse"), &len);
        CHECK(got && len == 8 << 20 && got[0] == 'a' && got[4095] == 'a' && got[4096] == 0);
        return 0;
}

int main(void)
{
        static const struct test tests[] = {
            {"every compression and tar format, hashed", test_variants},
            {"trailing bytes are hashed", test_trailing_bytes_hashed},
            {"truncated archives fail clearly", test_truncated},
            {"non-tar files fail clearly", test_not_tar},
            {"an archive without entries fails", test_no_entries},
            {"sparse files keep their holes", test_sparse},
        };
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
