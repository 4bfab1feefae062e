/* Shared pieces of the unpacker's unit tests: a tiny runner, hostile archives built with
 * libarchive's write API, and checks on the resulting tree. Runs unprivileged. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>

#include "extract.h"
#include "macro.h"
#include "tree.h"

#define SKIP 77

/* A failed check prints where and what, and fails the test. */
#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond))                                                                       \
                        return t_fail(__FILE__, __LINE__, "%s", #cond);                            \
        } while (0)
#define CHECK_MSG(cond, ...)                                                                       \
        do {                                                                                       \
                if (!(cond))                                                                       \
                        return t_fail(__FILE__, __LINE__, __VA_ARGS__);                            \
        } while (0)

int t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints why a test skips and returns SKIP. */
int t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct test {
        const char *name;
        int (*fn)(void);
};
/* Runs every test (each in a fresh directory, t_dir), prints one line each; exit status: 1 if
 * any failed, 77 if all skipped, else 0. */
int t_run(const struct test *tests, size_t n);

/* The current test's scratch directory; t_path() joins a name to it, in one of 8 static buffers
 * used in turn: copy a result that must outlive 7 more calls. */
extern char t_dir[];
const char *t_path(const char *name);

/* One archive member. type: 'f' file, 'd' directory, 'l' symlink (link = text), 'h' hard link
 * (link = target), 'p' FIFO, 'c'/'b' devices. mode 0: 0644 for files, 0755 for directories;
 * T_MODE(0) for a real 0000. */
#define T_MODE(m) ((m) | 0100000000)
struct tentry {
        const char *name;
        char type;
        mode_t mode;
        const char *data; /* file contents */
        const char *link;
        int64_t uid, gid;
        time_t mtime; /* 0: 1000000000 */
};
#define T_END                                                                                      \
        {                                                                                          \
                NULL, 0, 0, NULL, NULL, 0, 0, 0                                                    \
        }

/* Writes an archive of the entries (up to the one with a NULL name). filter: "none", "gzip",
 * "xz", "zstd", "bzip2"; format: "pax", "ustar", "gnutar". */
int t_archive(const char *path, const char *filter, const char *format, const struct tentry *e);
/* A hand-made ustar header for a file declaring size bytes (base-256 when large), no data. */
int t_archive_huge(const char *path, const char *name, uint64_t size);
int t_write_file(const char *path, const void *data, size_t len);
/* Contents of a file (NUL-terminated, malloc'd), or NULL. */
char *t_read_file(const char *path, size_t *ret_len);
bool t_exists(const char *path);

/* Unpacks path into the directory root through the helper's own reader (hashing) and
 * extractor, with stderr captured into *ret_err (malloc'd, may be NULL). */
int t_extract(const char *path, const char *root, const struct extract_opts *o,
              struct extract_stats *ret_stats, char **ret_err, char ret_hex[65]);
/* Default options of the unprivileged tests: no chown. */
struct extract_opts t_opts(void);

/* Lowercase hex sha256 of a file's bytes. */
int t_sha256_file(const char *path, char ret_hex[65]);
/* Number of entries in a directory (without . and ..), or -1. */
int t_count_dir(const char *path);

/* Runs argv (NULL-terminated) and waits; stdout and stderr captured into *ret_out and
 * *ret_err (malloc'd; either pointer may be NULL). Returns the exit status, or 128 + signal. */
int t_spawn(char *const argv[], char **ret_out, char **ret_err);
/* Starts argv without waiting; stdout and stderr go to /dev/null. Returns the pid. */
pid_t t_start(char *const argv[]);
int t_wait(pid_t pid);

/* Forks; the child runs fn in new user and mount namespaces mapping only the caller's ids to 0,
 * as the launcher does for a user without a subuid range. Returns fn's result, or SKIP (saying
 * why) where unprivileged user namespaces are unavailable. */
int t_in_userns(int (*fn)(void));

/* stderr to a memory file and back, to check the one-line messages. */
void t_capture_begin(void);
char *t_capture_end(void);
/* Whether text is exactly one line (one trailing newline) that contains needle. */
bool t_one_line_with(const char *text, const char *needle);
