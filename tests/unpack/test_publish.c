/* The real sandbox-unpack and its cache protocol: output, index, meta, concurrent and killed
 * unpackers, stale temporaries, failures leaving nothing. Runs unprivileged, no namespace. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static const char *helper;

static const struct tentry small[] = {{"./", 'd'},
                                      {"etc/os-release", 'f', 0, "ID=test\n"},
                                      {"bin/sh", 'f', 0755, "sh"},
                                      {"bin/ls", 'l', 0, NULL, "sh"},
                                      T_END};

/* Runs the helper on cache/ with the given image and keys. */
static int run(const char *image, const char *stat_key, const char *map_fp, char **out, char **err)
{
        char *argv[] = {(char *)helper,   (char *)t_path("cache"), (char *)image,
                        (char *)stat_key, (char *)map_fp,          NULL};

        return t_spawn(argv, out, err);
}

static int make_cache(void)
{
        return mkdir(t_path("cache"), 0700);
}

/* What a successful run must have printed and left: the image, its meta, the index link. */
static int check_published(const char *image, const char *stat_key, const char *out)
{
        char hex[65], want[256], link[256], path[512];
        _cleanup_free_ char *meta = NULL;
        ssize_t n;

        CHECK(t_sha256_file(image, hex) == 0);
        snprintf(want, sizeof want, "images/%s-s/rootfs\n", hex);
        CHECK_MSG(!strcmp(out, want), "printed '%s', want '%s'", out, want);
        snprintf(path, sizeof path, "cache/index/%s", stat_key);
        n = readlink(t_path(path), link, sizeof link - 1);
        CHECK(n == 66 && (link[n] = 0, !strncmp(link, hex, 64)) && !strcmp(link + 64, "-s"));
        snprintf(path, sizeof path, "cache/images/%s-s/meta", hex);
        meta = t_read_file(t_path(path), NULL);
        CHECK(meta && strstr(meta, "source=") && strstr(meta, "\nsize=") &&
              strstr(meta, "\nentries=") && strstr(meta, "\nunpacked="));
        CHECK(t_count_dir(t_path("cache/tmp")) == 0);
        return 0;
}

static int test_fresh_and_hit(void)
{
        _cleanup_free_ char *out = NULL, *err = NULL, *out2 = NULL, *out3 = NULL, *os = NULL;
        char rootfs[512];
        struct stat a, b;

        CHECK(make_cache() == 0);
        CHECK(t_archive(t_path("img.tar.gz"), "gzip", "pax", small) == 0);
        CHECK(run(t_path("img.tar.gz"), "k1", "s", &out, &err) == 0);
        CHECK_MSG(!*err, "stderr: %s", err);
        CHECK(check_published(t_path("img.tar.gz"), "k1", out) == 0);
        snprintf(rootfs, sizeof rootfs, "cache/%.*s", (int)strlen(out) - 1, out);
        os = t_read_file(t_path(strcat(rootfs, "/etc/os-release")), NULL);
        CHECK(os && !strcmp(os, "ID=test\n"));
        snprintf(rootfs, sizeof rootfs, "cache/%.*s", (int)strlen(out) - 1, out);
        CHECK(stat(t_path(rootfs), &a) == 0);
        /* A hit: same answer, nothing unpacked again. */
        CHECK(run(t_path("img.tar.gz"), "k1", "s", &out2, NULL) == 0 && !strcmp(out, out2));
        /* The same bytes under another stat key: the image there is reused. */
        CHECK(run(t_path("img.tar.gz"), "k2", "s", &out3, NULL) == 0 && !strcmp(out, out3));
        CHECK(check_published(t_path("img.tar.gz"), "k2", out3) == 0);
        CHECK(stat(t_path(rootfs), &b) == 0 && a.st_ino == b.st_ino && a.st_ctime == b.st_ctime);
        CHECK(t_count_dir(t_path("cache/images")) == 1);
        return 0;
}

/* An index entry that is not ours, or names a missing image, is a miss that gets rewritten. */
static int test_bad_index(void)
{
        _cleanup_free_ char *out = NULL;

        CHECK(make_cache() == 0);
        CHECK(mkdir(t_path("cache/index"), 0700) == 0);
        CHECK(symlink("../../../etc", t_path("cache/index/k")) == 0);
        CHECK(t_archive(t_path("img.tar"), "none", "pax", small) == 0);
        CHECK(run(t_path("img.tar"), "k", "s", &out, NULL) == 0);
        CHECK(check_published(t_path("img.tar"), "k", out) == 0);
        return 0;
}

/* A bigger image, so that concurrent unpackers overlap. */
static int many_files(const char *path, int n)
{
        struct tentry *e = calloc((size_t)n + 1, sizeof *e);
        char(*names)[32] = calloc((size_t)n, sizeof *names);
        int r;

        if (!e || !names)
                abort();
        for (int i = 0; i < n; i++) {
                snprintf(names[i], sizeof names[i], "d%03d/f%05d", i / 100, i);
                e[i] = (struct tentry){names[i], 'f', 0, "some file contents\n"};
        }
        r = t_archive(path, "gzip", "pax", e);
        free(e);
        free(names);
        return r;
}

static int race(bool same_key)
{
        enum { N = 4 };
        char *argv[N][6], keys[N][8];
        char outs[N][256];
        pid_t pids[N];
        _cleanup_free_ char *first = NULL;

        CHECK(make_cache() == 0);
        CHECK(many_files(t_path("img.tar.gz"), 2000) == 0);
        for (int i = 0; i < N; i++) {
                snprintf(keys[i], sizeof keys[i], "k%d", same_key ? 0 : i);
                snprintf(outs[i], sizeof outs[i], "out%d", i);
                argv[i][0] = (char *)helper;
                argv[i][1] = strdup(t_path("cache"));
                argv[i][2] = strdup(t_path("img.tar.gz"));
                argv[i][3] = keys[i];
                argv[i][4] = "s";
                argv[i][5] = NULL;
        }
        for (int i = 0; i < N; i++) {
                /* stdout into a file, to compare the answers afterwards. */
                FILE *f = fopen(t_path(outs[i]), "we");
                CHECK(f != NULL);
                fflush(NULL);
                pids[i] = fork();
                if (pids[i] == 0) {
                        dup2(fileno(f), STDOUT_FILENO);
                        execv(helper, argv[i]);
                        _exit(127);
                }
                fclose(f);
        }
        for (int i = 0; i < N; i++)
                CHECK_MSG(t_wait(pids[i]) == 0, "unpacker %d failed", i);
        first = t_read_file(t_path(outs[0]), NULL);
        for (int i = 0; i < N; i++) {
                _cleanup_free_ char *o = t_read_file(t_path(outs[i]), NULL);
                CHECK(o && !strcmp(o, first));
                CHECK(check_published(t_path("img.tar.gz"), keys[i], o) == 0);
                free(argv[i][1]);
                free(argv[i][2]);
        }
        CHECK(t_count_dir(t_path("cache/images")) == 1);
        return 0;
}

static int test_race_same_key(void)
{
        return race(true);
}

static int test_race_other_keys(void)
{
        return race(false);
}

/* tmp/ holds one directory of a killed unpacker (unlocked, with a mode 000 directory inside)
 * and one of a live one (locked by us): the first goes, the second stays. */
static int test_stale_cleanup(void)
{
        _cleanup_close_ int live = -1;
        _cleanup_free_ char *out = NULL;

        CHECK(make_cache() == 0);
        CHECK(mkdir(t_path("cache/tmp"), 0700) == 0);
        CHECK(mkdir(t_path("cache/tmp/unpack.dead01"), 0700) == 0);
        CHECK(mkdir(t_path("cache/tmp/unpack.dead01/rootfs"), 0755) == 0);
        CHECK(mkdir(t_path("cache/tmp/unpack.dead01/rootfs/locked"), 0700) == 0);
        CHECK(t_write_file(t_path("cache/tmp/unpack.dead01/rootfs/locked/f"), "x", 1) == 0);
        CHECK(chmod(t_path("cache/tmp/unpack.dead01/rootfs/locked"), 0) == 0);
        CHECK(mkdir(t_path("cache/tmp/unpack.live01"), 0700) == 0);
        live = open(t_path("cache/tmp/unpack.live01"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(live >= 0 && flock(live, LOCK_EX) == 0);
        CHECK(t_archive(t_path("img.tar"), "none", "pax", small) == 0);
        CHECK(run(t_path("img.tar"), "k", "s", &out, NULL) == 0);
        CHECK(!t_exists(t_path("cache/tmp/unpack.dead01")));
        CHECK(t_exists(t_path("cache/tmp/unpack.live01")));
        CHECK(t_count_dir(t_path("cache/tmp")) == 1);
        return 0;
}

/* An unpacker killed mid-way leaves only a temporary, which the next run removes. */
static int test_killed_unpacker(void)
{
        _cleanup_free_ char *cache = strdup(t_path("cache")), *image = strdup(t_path("img.tar.gz"));
        char *argv[] = {(char *)helper, cache, image, "k", "s", NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        bool seen = false;
        pid_t pid;

        CHECK(make_cache() == 0);
        CHECK(many_files(t_path("img.tar.gz"), 5000) == 0);
        pid = t_start(argv);
        CHECK(pid > 0);
        for (int i = 0; i < 20000 && !seen; i++) {
                /* Its rootfs exists from the start of extraction on. */
                DIR *d = opendir(t_path("cache/tmp"));
                struct dirent *de;
                while (d && (de = readdir(d)))
                        if (!strncmp(de->d_name, "unpack.", 7)) {
                                char p[512];
                                snprintf(p, sizeof p, "cache/tmp/%s/rootfs/d000", de->d_name);
                                seen = seen || t_exists(t_path(p));
                        }
                if (d)
                        closedir(d);
                if (!seen)
                        usleep(500);
        }
        CHECK(kill(pid, SIGKILL) == 0);
        CHECK_MSG(t_wait(pid) == 128 + SIGKILL && seen, "the unpacker finished before the kill");
        CHECK(t_count_dir(t_path("cache/tmp")) == 1);
        CHECK(t_count_dir(t_path("cache/images")) == 0);
        CHECK(!t_exists(t_path("cache/index/k")));
        CHECK(t_spawn(argv, &out, &err) == 0);
        CHECK(check_published(t_path("img.tar.gz"), "k", out) == 0);
        return 0;
}

/* A failure prints one line, nothing on stdout, and leaves no image, index or temporary. */
static int expect_failure(const char *image, const char *needle)
{
        _cleanup_free_ char *out = NULL, *err = NULL;

        CHECK(run(image, "k", "s", &out, &err) == 1);
        CHECK_MSG(t_one_line_with(err, needle), "got '%s'", err);
        CHECK(!strncmp(err, "sandbox: ", 9) && !*out);
        CHECK(t_count_dir(t_path("cache/tmp")) <= 0 && t_count_dir(t_path("cache/images")) <= 0);
        CHECK(!t_exists(t_path("cache/index/k")));
        return 0;
}

static int test_failures_leave_nothing(void)
{
        static char big[200000];
        const struct tentry hostile[] = {{"ok", 'f', 0, "x"}, {"../../x", 'f', 0, "x"}, T_END};
        const struct tentry trunc[] = {{"big", 'f', 0, big}, {"b", 'f', 0, "x"}, T_END};
        char msg[512];
        struct stat st;

        memset(big, 'x', sizeof big - 1);
        CHECK(make_cache() == 0);
        CHECK(t_archive(t_path("hostile.tar"), "none", "pax", hostile) == 0);
        CHECK(expect_failure(t_path("hostile.tar"), "'../../x' has a '..' component") == 0);
        CHECK(t_archive(t_path("trunc.tar"), "none", "pax", trunc) == 0);
        CHECK(stat(t_path("trunc.tar"), &st) == 0 && truncate(t_path("trunc.tar"), 100000) == 0);
        CHECK(expect_failure(t_path("trunc.tar"), "corrupt or truncated archive after 1 entries") ==
              0);
        CHECK(t_write_file(t_path("text"), "hello\n", 6) == 0);
        snprintf(msg, sizeof msg, "sandbox: %s: not a tar archive (Unrecognized archive format)\n",
                 t_path("text"));
        CHECK(expect_failure(t_path("text"), msg) == 0);
        CHECK(t_archive_huge(t_path("huge.tar"), "big", 1ULL << 50) == 0);
        snprintf(msg, sizeof msg,
                 "sandbox: no space left on device while unpacking %s into %s (free some space, "
                 "or point XDG_CACHE_HOME elsewhere)\n",
                 t_path("huge.tar"), t_path("cache"));
        CHECK(expect_failure(t_path("huge.tar"), msg) == 0);
        /* A directory is taken as an image layout: one that is none is refused. */
        CHECK(expect_failure(t_dir, "not a layered image") == 0);
        CHECK(mkfifo(t_path("fifo"), 0600) == 0);
        CHECK(expect_failure(t_path("fifo"), "not a regular file") == 0);
        CHECK(expect_failure(t_path("missing"), "cannot open the image") == 0);
        return 0;
}

static int test_bad_arguments(void)
{
        static const struct {
                const char *cache, *stat_key, *map_fp, *msg;
        } cases[] = {
            {"cache", "../k", "s", "invalid STAT_KEY '../k'"},
            {"cache", ".k", "s", "invalid STAT_KEY"},
            {"cache", "k", "a/b", "invalid MAP_FP 'a/b'"},
            {"cache", "k", "", "invalid MAP_FP"},
            {"open", "k", "s", "is open to other users (mode 0755; run: chmod 700"},
            {NULL, "k", "s", "is not an absolute path"},
        };
        char *few[] = {(char *)helper, "a", "b", NULL};
        _cleanup_free_ char *err = NULL;

        CHECK(make_cache() == 0 && mkdir(t_path("open"), 0755) == 0);
        CHECK(t_archive(t_path("img.tar"), "none", "pax", small) == 0);
        CHECK(t_spawn(few, NULL, &err) == 1 && t_one_line_with(err, "sandbox: usage: "));
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char *argv[] = {(char *)helper,
                                cases[i].cache ? (char *)t_path(cases[i].cache) : "relative",
                                (char *)t_path("img.tar"),
                                (char *)cases[i].stat_key,
                                (char *)cases[i].map_fp,
                                NULL};
                _cleanup_free_ char *out = NULL, *e = NULL;

                CHECK(t_spawn(argv, &out, &e) == 1 && !*out);
                CHECK_MSG(t_one_line_with(e, cases[i].msg), "case %zu: got '%s'", i, e);
        }
        CHECK(t_count_dir(t_path("open")) == 0);
        return 0;
}

static int test_devices_note(void)
{
        const struct tentry e[] = {{"dev/null", 'c'}, {"dev/sda", 'b'}, {"etc/x", 'f'}, T_END};
        _cleanup_free_ char *out = NULL, *err = NULL;
        char want[512];

        CHECK(make_cache() == 0);
        CHECK(t_archive(t_path("img.tar"), "none", "ustar", e) == 0);
        CHECK(run(t_path("img.tar"), "k", "s", &out, &err) == 0);
        snprintf(want, sizeof want,
                 "sandbox: note: skipped 2 device nodes in %s (a sandbox gets /dev from the "
                 "host)\n",
                 t_path("img.tar"));
        CHECK_MSG(!strcmp(err, want), "got '%s'", err);
        return check_published(t_path("img.tar"), "k", out);
}

/* Under Landlock (where the kernel has it): UTF-8 names still convert, nothing else is needed. */
static int test_utf8_confined(void)
{
        const struct tentry e[] = {{"Am\xc3\xa9rica/\xe6\x97\xa5", 'f', 0, "x"}, T_END};
        _cleanup_free_ char *out = NULL, *err = NULL;
        char path[512];

        CHECK(make_cache() == 0);
        CHECK(t_archive(t_path("img.tar"), "xz", "pax", e) == 0);
        CHECK(run(t_path("img.tar"), "k", "s", &out, &err) == 0 && !*err);
        snprintf(path, sizeof path, "cache/%.*s/Am\xc3\xa9rica/\xe6\x97\xa5", (int)strlen(out) - 1,
                 out);
        CHECK(t_exists(t_path(path)));
        return 0;
}

static int test_alpine(void)
{
        const char *alpine = getenv("SANDBOX_ALPINE");
        _cleanup_free_ char *out = NULL, *err = NULL;
        char path[512];
        struct stat st;

        if (!alpine || access(alpine, R_OK) < 0)
                return t_skip("no Alpine minirootfs (SANDBOX_ALPINE='%s')", alpine ? alpine : "");
        CHECK(make_cache() == 0);
        CHECK(run(alpine, "alpine", "s", &out, &err) == 0 && !*err);
        CHECK(check_published(alpine, "alpine", out) == 0);
        snprintf(path, sizeof path, "cache/%.*s/bin/busybox", (int)strlen(out) - 1, out);
        CHECK(stat(t_path(path), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111));
        snprintf(path, sizeof path, "cache/%.*s/bin/sh", (int)strlen(out) - 1, out);
        CHECK(lstat(t_path(path), &st) == 0 && S_ISLNK(st.st_mode));
        return 0;
}

int main(int argc, char **argv)
{
        static const struct test tests[] = {
            {"fresh unpack, then cache hits", test_fresh_and_hit},
            {"a bad index entry is rewritten", test_bad_index},
            {"concurrent unpacks, same stat key", test_race_same_key},
            {"concurrent unpacks, other stat keys", test_race_other_keys},
            {"stale temporaries are removed, live ones kept", test_stale_cleanup},
            {"a killed unpacker leaves nothing visible", test_killed_unpacker},
            {"failures leave nothing behind", test_failures_leave_nothing},
            {"bad arguments", test_bad_arguments},
            {"skipped devices are noted", test_devices_note},
            {"UTF-8 names while confined", test_utf8_confined},
            {"the Alpine minirootfs", test_alpine},
        };
        if (argc != 2) {
                fprintf(stderr, "usage: %s SANDBOX_UNPACK\n", argv[0]);
                return 1;
        }
        helper = argv[1];
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
