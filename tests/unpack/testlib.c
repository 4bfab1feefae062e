/* Shared pieces of the unpacker's unit tests: a tiny runner, hostile archives built with
 * libarchive's write API, and checks on the resulting tree. Runs unprivileged. */
#include "testlib.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image_reader.h"
#include "tree.h"
#include "userns_self.h"

char t_dir[PATH_MAX];

int t_fail(const char *file, int line, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "  FAILED at %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

int t_skip(const char *fmt, ...)
{
        va_list ap;

        printf("  skip: ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        return SKIP;
}

const char *t_path(const char *name)
{
        static char bufs[8][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 8];

        if (snprintf(b, PATH_MAX, "%s/%s", t_dir, name) >= PATH_MAX)
                abort();
        return b;
}

int t_run(const struct test *tests, size_t n)
{
        const char *tmp = getenv("TMPDIR");
        size_t failed = 0, skipped = 0;

        /* As the helper does: pax names are UTF-8. */
        setlocale(LC_CTYPE, "C.UTF-8");
        umask(022);
        for (size_t i = 0; i < n; i++) {
                int r;

                snprintf(t_dir, sizeof t_dir, "%s/unpack-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
                if (!mkdtemp(t_dir)) {
                        perror("mkdtemp");
                        return 1;
                }
                fflush(stdout);
                r = tests[i].fn();
                printf("%s %s\n", r == 0 ? "ok  " : r == SKIP ? "skip" : "FAIL", tests[i].name);
                fflush(stdout);
                failed += r != 0 && r != SKIP;
                skipped += r == SKIP;
                if (tree_remove_at(AT_FDCWD, t_dir) < 0)
                        fprintf(stderr, "  cannot remove %s\n", t_dir);
        }
        printf("%zu tests: %zu failed, %zu skipped\n", n, failed, skipped);
        return failed ? 1 : skipped == n ? SKIP : 0;
}

static void set_entry(struct archive_entry *ae, const struct tentry *e)
{
        static const struct {
                char type;
                unsigned ae;
                mode_t mode;
        } types[] = {{'f', AE_IFREG, 0644}, {'d', AE_IFDIR, 0755}, {'l', AE_IFLNK, 0777},
                     {'h', AE_IFREG, 0644}, {'p', AE_IFIFO, 0644}, {'c', AE_IFCHR, 0600},
                     {'b', AE_IFBLK, 0600}};

        archive_entry_set_pathname(ae, e->name);
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
                if (types[i].type == e->type) {
                        archive_entry_set_filetype(ae, types[i].ae);
                        archive_entry_set_perm(ae, e->mode ? e->mode & 07777 : types[i].mode);
                }
        archive_entry_set_uid(ae, e->uid);
        archive_entry_set_gid(ae, e->gid);
        archive_entry_set_mtime(ae, e->mtime ? e->mtime : 1000000000, 0);
        archive_entry_set_size(ae, e->type == 'f' && e->data ? (int64_t)strlen(e->data) : 0);
        if (e->type == 'l')
                archive_entry_set_symlink(ae, e->link);
        if (e->type == 'h')
                archive_entry_set_hardlink(ae, e->link);
        if (e->type == 'c' || e->type == 'b')
                archive_entry_set_rdev(ae, makedev(1, 3));
}

int t_archive(const char *path, const char *filter, const char *format, const struct tentry *e)
{
        struct archive *a = archive_write_new();
        int r = ARCHIVE_OK;

        if (strcmp(filter, "none") != 0)
                r = archive_write_add_filter_by_name(a, filter);
        if (r == ARCHIVE_OK)
                r = archive_write_set_format_by_name(a, format);
        if (r == ARCHIVE_OK)
                r = archive_write_open_filename(a, path);
        for (; r == ARCHIVE_OK && e->name; e++) {
                struct archive_entry *ae = archive_entry_new();
                set_entry(ae, e);
                r = archive_write_header(a, ae);
                if (r == ARCHIVE_OK && e->type == 'f' && e->data &&
                    archive_write_data(a, e->data, strlen(e->data)) != (la_ssize_t)strlen(e->data))
                        r = ARCHIVE_FATAL;
                archive_entry_free(ae);
        }
        if (r != ARCHIVE_OK)
                fprintf(stderr, "  t_archive %s: %s\n", path, archive_error_string(a));
        if (archive_write_close(a) != ARCHIVE_OK)
                r = ARCHIVE_FATAL;
        archive_write_free(a);
        return r == ARCHIVE_OK ? 0 : -1;
}

int t_archive_huge(const char *path, const char *name, uint64_t size)
{
        unsigned char h[512 * 4] = {0};
        unsigned sum = 0;

        snprintf((char *)h, 100, "%s", name);
        memcpy(h + 100, "0000644", 8);
        memcpy(h + 108, "0000000", 8);
        memcpy(h + 116, "0000000", 8);
        h[124] = 0x80; /* base-256: the size does not fit 11 octal digits */
        for (int i = 0; i < 8; i++)
                h[135 - i] = (unsigned char)(size >> (8 * i));
        memcpy(h + 136, "14000000000", 12);
        memset(h + 148, ' ', 8);
        h[156] = '0';
        memcpy(h + 257, "ustar", 6);
        memcpy(h + 263, "00", 2);
        for (int i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *)h + 148, 8, "%06o", sum);
        return t_write_file(path, h, sizeof h); /* the data is missing: never read */
}

int t_write_file(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "we");
        size_t n;

        if (!f)
                return -1;
        n = fwrite(data, 1, len, f);
        return fclose(f) == 0 && n == len ? 0 : -1;
}

char *t_read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0, cap = 0, n;

        if (!f)
                return NULL;
        do {
                if (len + 4096 + 1 > cap) {
                        cap = (cap + 4096) * 2;
                        buf = realloc(buf, cap);
                        if (!buf)
                                abort();
                }
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        fclose(f);
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        return buf;
}

bool t_exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

struct extract_opts t_opts(void)
{
        return (struct extract_opts){.image = "test.tar", .skip_chown = true};
}

int t_extract(const char *path, const char *root, const struct extract_opts *o,
              struct extract_stats *ret_stats, char **ret_err, char ret_hex[65])
{
        struct image_reader rd = {0};
        struct extract_stats stats = {0};
        struct archive *a = archive_read_new();
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char hex[65];
        int r = fd < 0 || rootfd < 0 ? -errno : 0;

        t_capture_begin();
        if (r >= 0)
                r = extract_support(a);
        if (r >= 0 && image_reader_open(&rd, a, fd, NULL) < 0)
                r = extract_open_failed(a, o->image);
        if (r >= 0)
                r = extract_archive(a, rootfd, o, &stats);
        if (r >= 0)
                r = image_reader_finish(&rd, hex);
        if (ret_err)
                *ret_err = t_capture_end();
        else
                free(t_capture_end());
        archive_read_free(a);
        image_reader_done(&rd);
        if (fd >= 0)
                close(fd);
        if (rootfd >= 0)
                close(rootfd);
        if (ret_stats)
                *ret_stats = stats;
        if (ret_hex && r >= 0)
                memcpy(ret_hex, hex, 65);
        return r;
}

int t_sha256_file(const char *path, char ret_hex[65])
{
        unsigned char digest[SHA256_DIGEST_SIZE];
        struct sha256_ctx ctx;
        size_t len;
        char *data = t_read_file(path, &len);

        if (!data)
                return -1;
        sha256_init(&ctx);
        sha256_update(&ctx, len, (const uint8_t *)data);
        sha256_digest(&ctx, sizeof digest, digest);
        for (size_t i = 0; i < sizeof digest; i++)
                snprintf(ret_hex + 2 * i, 3, "%02x", digest[i]);
        free(data);
        return 0;
}

int t_count_dir(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        closedir(d);
        return n;
}

static char *read_memfd(int fd)
{
        off_t len = lseek(fd, 0, SEEK_END);
        char *buf = malloc((size_t)len + 1);

        if (!buf || pread(fd, buf, (size_t)len, 0) != len)
                abort();
        buf[len] = 0;
        return buf;
}

static int saved_stderr = -1, capture_fd = -1;

void t_capture_begin(void)
{
        fflush(stderr);
        capture_fd = memfd_create("stderr", MFD_CLOEXEC);
        saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (capture_fd < 0 || saved_stderr < 0 || dup2(capture_fd, STDERR_FILENO) < 0)
                abort();
}

char *t_capture_end(void)
{
        char *buf = read_memfd(capture_fd);
        size_t len = strlen(buf);

        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        close(capture_fd);
        /* Echoed, so a failing test's log shows what the code said. */
        if (len)
                fprintf(stderr, "  stderr: %s", buf);
        return buf;
}

bool t_one_line_with(const char *text, const char *needle)
{
        size_t len = text ? strlen(text) : 0;

        return len > 0 && text[len - 1] == '\n' && strchr(text, '\n') == text + len - 1 &&
               strstr(text, needle) != NULL;
}

int t_wait(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static pid_t start(char *const argv[], int out, int err)
{
        pid_t pid = fork();

        if (pid == 0) {
                if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        return pid;
}

int t_spawn(char *const argv[], char **ret_out, char **ret_err)
{
        int out = memfd_create("out", MFD_CLOEXEC), err = memfd_create("err", MFD_CLOEXEC);
        pid_t pid;
        int r;

        if (out < 0 || err < 0)
                abort();
        fflush(NULL);
        pid = start(argv, out, err);
        r = pid < 0 ? -1 : t_wait(pid);
        if (ret_out)
                *ret_out = read_memfd(out);
        if (ret_err) {
                *ret_err = read_memfd(err);
                if (**ret_err)
                        fprintf(stderr, "  %s said: %s", argv[0], *ret_err);
        }
        close(out);
        close(err);
        return r;
}

pid_t t_start(char *const argv[])
{
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        pid_t pid;

        if (null < 0)
                abort();
        fflush(NULL);
        pid = start(argv, null, null);
        close(null);
        return pid;
}

/* In the child: only our own ids, mapped to 0, as for a user without a subuid range. */
static int enter_userns(void)
{
        uid_t uid = geteuid();
        gid_t gid = getegid();
        int r;

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return t_skip("no unprivileged user namespace here (unshare: %s)", strerror(errno));
        r = userns_map_self(uid, gid);
        if (r < 0)
                return t_fail(__FILE__, __LINE__, "cannot map our ids: %s", strerror(-r));
        return 0;
}

int t_in_userns(int (*fn)(void))
{
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                int r = enter_userns();
                if (r == 0)
                        r = fn();
                fflush(NULL);
                _exit(r);
        }
        return pid < 0 ? t_fail(__FILE__, __LINE__, "fork: %s", strerror(errno)) : t_wait(pid);
}
