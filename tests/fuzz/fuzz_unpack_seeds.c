/* Writes the seed corpus of fuzz_unpack: a few tiny archives in each tar flavour and filter,
 * hostile ones included. Runs at build time, unprivileged. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct member {
        const char *name;
        unsigned type;
        const char *data; /* file contents, or link target */
        int hard;
};

static const struct member basic[] = {
    {"./", AE_IFDIR},
    {"etc/", AE_IFDIR},
    {"etc/hostname", AE_IFREG, "box\n"},
    {"bin/sh", AE_IFREG, "#!"},
    {"bin/ash", AE_IFLNK, "sh"},
    {"bin/dash", AE_IFREG, "bin/sh", 1},
    {NULL},
};

static const struct member hostile[] = {
    {"/abs", AE_IFREG, "a"},      {"evil", AE_IFLNK, "/abs/../.."},
    {"evil/x", AE_IFREG, "x"},    {"up", AE_IFLNK, "../../.."},
    {"up/y", AE_IFREG, "y"},      {"h", AE_IFREG, "/evil/x", 1},
    {"../dotdot", AE_IFREG, "z"}, {NULL},
};

static const struct member odd[] = {
    {"dev/null", AE_IFCHR},
    {"run/fifo", AE_IFIFO},
    {"d/", AE_IFDIR},
    {"d", AE_IFREG, "file over dir"},
    {"l", AE_IFLNK, "d"},
    {"l/", AE_IFDIR},
    {"\xc3\xa9t\xc3\xa9/long-name-long-name-long-name-long-name-long-name-long-name-long-name-"
     "long-name-long-name-long-name",
     AE_IFREG, "utf8"},
    {NULL},
};

static int write_one(const char *dir, const char *name, const char *filter, const char *format,
                     const struct member *m)
{
        char path[4096];
        struct archive *a = archive_write_new();
        int r = ARCHIVE_OK;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (strcmp(filter, "none") != 0)
                r = archive_write_add_filter_by_name(a, filter);
        if (r == ARCHIVE_OK)
                r = archive_write_set_format_by_name(a, format);
        if (r == ARCHIVE_OK) /* no padding to 10 KiB: seeds stay small */
                r = archive_write_set_bytes_in_last_block(a, 1);
        if (r == ARCHIVE_OK)
                r = archive_write_open_filename(a, path);
        for (; r == ARCHIVE_OK && m->name; m++) {
                struct archive_entry *e = archive_entry_new();
                size_t len = m->type == AE_IFREG && !m->hard && m->data ? strlen(m->data) : 0;

                archive_entry_set_pathname(e, m->name);
                archive_entry_set_filetype(e, m->type);
                archive_entry_set_perm(e, m->type == AE_IFDIR ? 0755 : 0644);
                archive_entry_set_mtime(e, 1000000000, 0);
                archive_entry_set_size(e, (la_int64_t)len);
                if (m->type == AE_IFLNK)
                        archive_entry_set_symlink(e, m->data);
                if (m->hard)
                        archive_entry_set_hardlink(e, m->data);
                if (m->type == AE_IFCHR)
                        archive_entry_set_rdev(e, makedev(1, 3));
                r = archive_write_header(a, e);
                if (r == ARCHIVE_OK && len &&
                    archive_write_data(a, m->data, len) != (la_ssize_t)len)
                        r = ARCHIVE_FATAL;
                archive_entry_free(e);
        }
        if (r != ARCHIVE_OK)
                fprintf(stderr, "fuzz_unpack_seeds: %s: %s\n", path, archive_error_string(a));
        if (archive_write_close(a) != ARCHIVE_OK)
                r = ARCHIVE_FATAL;
        archive_write_free(a);
        return r == ARCHIVE_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
        int r = 0;

        if (argc != 2) {
                fprintf(stderr, "usage: fuzz_unpack_seeds DIR\n");
                return 1;
        }
        setlocale(LC_CTYPE, "C.UTF-8"); /* the names below are UTF-8, whatever the build's locale */
        if (mkdir(argv[1], 0755) < 0 && errno != EEXIST)
                return 1;
        r |= write_one(argv[1], "basic.ustar", "none", "ustar", basic);
        r |= write_one(argv[1], "basic.pax.gz", "gzip", "pax", basic);
        r |= write_one(argv[1], "basic.gnutar.xz", "xz", "gnutar", basic);
        r |= write_one(argv[1], "basic.pax.zst", "zstd", "pax", basic);
        r |= write_one(argv[1], "basic.ustar.bz2", "bzip2", "ustar", basic);
        r |= write_one(argv[1], "hostile.pax", "none", "pax", hostile);
        r |= write_one(argv[1], "odd.pax", "none", "pax", odd);
        r |= write_one(argv[1], "odd.gnutar", "none", "gnutar", odd);
        return r;
}
