/* The extraction rules against hostile archives: every name stays inside the tree, links cannot
 * reach out, modes and times come out right. Runs unprivileged, without a user namespace. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

/* root/ and outside/ in the test's directory; the archive goes to a.tar. */
static int setup(void)
{
        if (mkdir(t_path("root"), 0755) < 0 || mkdir(t_path("outside"), 0755) < 0)
                return -1;
        return 0;
}

/* A fresh root/ and outside/ between the cases of one test. */
static int reset(void)
{
        if (tree_remove_at(AT_FDCWD, t_path("root")) < 0 || rmdir(t_path("outside")) < 0)
                return -1;
        return setup();
}

static int unpack(const struct tentry *e, char **ret_err)
{
        struct extract_opts o = t_opts();

        if (t_archive(t_path("a.tar"), "none", "pax", e) < 0)
                return -100;
        return t_extract(t_path("a.tar"), t_path("root"), &o, NULL, ret_err, NULL);
}

static bool file_is(const char *path, const char *data)
{
        char *got = t_read_file(path, NULL);
        bool eq = got && !strcmp(got, data);

        free(got);
        return eq;
}

/* Every hostile target below points into the test's own outside/, never at a system path: if
 * the code under test were broken, the damage must stay in the test's directory. */

static int test_absolute_names(void)
{
        char name[PATH_MAX];
        _cleanup_free_ char *err = NULL;

        CHECK(setup() == 0);
        /* The outside directory's own absolute path: written through, it would appear there. */
        snprintf(name, sizeof name, "%s/abs", t_path("outside"));
        const struct tentry e[] = {{name, 'f', 0, "y"}, {".///./dot/./x", 'f', 0, "z"}, T_END};
        CHECK(unpack(e, &err) == 0);
        snprintf(name, sizeof name, "root/%s/abs", t_path("outside"));
        CHECK(file_is(t_path(name), "y"));
        CHECK(file_is(t_path("root/dot/x"), "z"));
        CHECK(t_count_dir(t_path("outside")) == 0);
        return 0;
}

static int test_dotdot_refused(void)
{
        static const char *names[] = {"../escape", "a/../../escape", "a/b/../../../escape", ".."};

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                _cleanup_free_ char *err = NULL;
                const struct tentry e[] = {{"ok", 'f', 0, "ok"}, {names[i], 'f', 0, "bad"}, T_END};

                CHECK(i == 0 ? setup() == 0 : reset() == 0);
                CHECK(unpack(e, &err) < 0);
                CHECK_MSG(t_one_line_with(err, "has a '..' component"), "got: %s", err);
                CHECK(strstr(err, names[i]) != NULL);
                CHECK(!t_exists(t_path("escape")) && !t_exists(t_path("root/escape")));
                CHECK(t_count_dir(t_path("outside")) == 0);
        }
        return 0;
}

static int test_symlink_write_through(void)
{
        _cleanup_free_ char *err = NULL;
        const char *outside = t_path("outside");

        CHECK(setup() == 0);
        /* Dangling inside the tree: refused, nothing written anywhere. */
        const struct tentry e1[] = {
            {"evil", 'l', 0, NULL, outside}, {"evil/x", 'f', 0, "x"}, T_END};
        CHECK(unpack(e1, &err) < 0);
        CHECK_MSG(t_one_line_with(err, "cannot make the directories above 'evil/x'"), "got %s",
                  err);
        CHECK(t_count_dir(outside) == 0);
        return 0;
}

static int test_symlink_resolved_in_root(void)
{
        char dir[PATH_MAX], inside[PATH_MAX];
        const char *outside = t_path("outside");

        CHECK(setup() == 0);
        /* The link's target exists inside the tree: the file lands there, not outside. And
         * "../../.." from root/a/b stops at the root (it would be the test's directory). */
        snprintf(dir, sizeof dir, "%s/", outside);
        const struct tentry e[] = {{dir, 'd'},
                                   {"evil", 'l', 0, NULL, outside},
                                   {"evil/x", 'f', 0, "in"},
                                   {"a/b/up", 'l', 0, NULL, "../../.."},
                                   {"a/b/up/y", 'f', 0, "top"},
                                   T_END};
        CHECK(unpack(e, NULL) == 0);
        snprintf(inside, sizeof inside, "root%s/x", outside);
        CHECK(file_is(t_path(inside), "in"));
        CHECK(file_is(t_path("root/y"), "top"));
        CHECK(t_count_dir(outside) == 0);
        CHECK(!t_exists(t_path("y")));
        return 0;
}

/* outside/secret: what a hostile link would like to reach. */
static int make_secret(void)
{
        return t_write_file(t_path("outside/secret"), "secret", 6);
}

static bool secret_untouched(void)
{
        struct stat st;

        return lstat(t_path("outside/secret"), &st) == 0 && st.st_nlink == 1 &&
               file_is(t_path("outside/secret"), "secret") && t_count_dir(t_path("outside")) == 1;
}

static int test_hardlinks(void)
{
        _cleanup_free_ char *secret = NULL;
        struct stat a, b;

        CHECK(setup() == 0 && make_secret() == 0);
        secret = strdup(t_path("outside/secret"));
        const struct tentry ok[] = {{"f", 'f', 0, "data"},
                                    {"dir/g", 'h', 0, NULL, "f"},
                                    {"s", 'l', 0, NULL, secret},
                                    {"hs", 'h', 0, NULL, "s"},
                                    {"self", 'f', 0, "me"},
                                    {"self", 'h', 0, NULL, "./self"},
                                    T_END};
        CHECK(unpack(ok, NULL) == 0);
        CHECK(stat(t_path("root/f"), &a) == 0 && stat(t_path("root/dir/g"), &b) == 0);
        CHECK(a.st_ino == b.st_ino && a.st_nlink == 2);
        /* A link to a symlink is the symlink, never what it points to. */
        CHECK(lstat(t_path("root/hs"), &a) == 0 && S_ISLNK(a.st_mode));
        CHECK(file_is(t_path("root/self"), "me"));
        CHECK(secret_untouched());
        return 0;
}

static int test_hardlink_escapes(void)
{
        _cleanup_free_ char *secret = strdup(t_path("outside/secret"));
        _cleanup_free_ char *outside = strdup(t_path("outside"));
        const struct {
                const char *target, *msg;
        } cases[] = {{secret, "which is not a file in the image"},
                     {"../../outside/secret", "which cannot be in the image"},
                     {"s/secret", "which is not a file in the image"}};

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *err = NULL;
                const struct tentry e[] = {
                    {"s", 'l', 0, NULL, outside}, {"h", 'h', 0, NULL, cases[i].target}, T_END};

                CHECK(i == 0 ? setup() == 0 : reset() == 0);
                CHECK(make_secret() == 0);
                CHECK(unpack(e, &err) < 0);
                CHECK_MSG(t_one_line_with(err, cases[i].msg), "got: %s", err);
                CHECK(strstr(err, "'h'") && strstr(err, cases[i].target));
                CHECK(!t_exists(t_path("root/h")));
                CHECK(secret_untouched());
                CHECK(unlink(t_path("outside/secret")) == 0);
        }
        return 0;
}

static int test_devices_skipped(void)
{
        struct extract_opts o = t_opts();
        struct extract_stats st;
        struct stat sb;

        CHECK(setup() == 0);
        const struct tentry e[] = {{"dev/null", 'c'},
                                   {"dev/sda", 'b'},
                                   {"dev/fifo", 'p', 0640},
                                   {"dev/ok", 'f', 0, "ok"},
                                   T_END};
        CHECK(t_archive(t_path("a.tar"), "none", "pax", e) == 0);
        CHECK(t_extract(t_path("a.tar"), t_path("root"), &o, &st, NULL, NULL) == 0);
        CHECK(st.devices_skipped == 2 && st.entries == 4);
        CHECK(!t_exists(t_path("root/dev/null")) && !t_exists(t_path("root/dev/sda")));
        CHECK(lstat(t_path("root/dev/fifo"), &sb) == 0 && S_ISFIFO(sb.st_mode));
        CHECK((sb.st_mode & 07777) == 0640);
        return 0;
}

static int test_readonly_dirs(void)
{
        struct stat st;

        CHECK(setup() == 0);
        const struct tentry e[] = {{"ro/", 'd', 0555},
                                   {"ro/f", 'f', 0, "f"},
                                   {"ro/sub/", 'd', 0500},
                                   {"ro/sub/g", 'f', 0, "g"},
                                   {"none/", 'd', T_MODE(0)},
                                   {"none/h", 'f', 0, "h"},
                                   T_END};
        CHECK(unpack(e, NULL) == 0);
        CHECK(lstat(t_path("root/ro"), &st) == 0 && (st.st_mode & 07777) == 0555);
        CHECK(lstat(t_path("root/ro/sub"), &st) == 0 && (st.st_mode & 07777) == 0500);
        CHECK(lstat(t_path("root/none"), &st) == 0 && (st.st_mode & 07777) == 0000);
        CHECK(chmod(t_path("root/none"), 0700) == 0);
        CHECK(file_is(t_path("root/ro/sub/g"), "g") && file_is(t_path("root/none/h"), "h"));
        CHECK(chmod(t_path("root/none"), 0000) == 0);
        /* And the cleanup copes with them, as the stale-tmp cleaner must. */
        CHECK(tree_remove_at(AT_FDCWD, t_path("root")) == 0);
        CHECK(!t_exists(t_path("root")));
        return 0;
}

static int test_replacements(void)
{
        _cleanup_free_ char *outside = strdup(t_path("outside"));
        struct stat st;

        CHECK(setup() == 0);
        const struct tentry e[] = {{"d/", 'd'},
                                   {"d/sub/f", 'f', 0, "deep"},
                                   {"d", 'f', 0, "now a file"},
                                   {"f", 'f', 0, "file"},
                                   {"f/", 'd', 0700},
                                   {"f/g", 'f', 0, "g"},
                                   {"l/", 'd'},
                                   {"l/x", 'f', 0, "x"},
                                   {"l", 'l', 0, NULL, "/nowhere"},
                                   {"k", 'l', 0, NULL, outside},
                                   {"k/", 'd', 0751},
                                   T_END};
        CHECK(unpack(e, NULL) == 0);
        CHECK(file_is(t_path("root/d"), "now a file"));
        CHECK(lstat(t_path("root/f"), &st) == 0 && S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0700 && file_is(t_path("root/f/g"), "g"));
        CHECK(lstat(t_path("root/l"), &st) == 0 && S_ISLNK(st.st_mode));
        CHECK(lstat(t_path("root/k"), &st) == 0 && S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0751);
        CHECK(lstat(outside, &st) == 0 && (st.st_mode & 07777) == 0755);
        return 0;
}

static int test_modes_and_times(void)
{
        struct stat st;

        CHECK(setup() == 0);
        const struct tentry e[] = {{"./", 'd', 0750, NULL, NULL, 0, 0, 1500000000},
                                   {"bin/", 'd', 0755, NULL, NULL, 0, 0, 1400000000},
                                   {"bin/su", 'f', 04755, "suid", NULL, 0, 0, 1300000000},
                                   {"bin/sg", 'f', 02755, "sgid"},
                                   {"bin/ln", 'l', 0, NULL, "su", 0, 0, 1200000000},
                                   {"tmp/", 'd', 01777},
                                   {"dup/", 'd', 0700},
                                   {"dup/", 'd', 0711},
                                   T_END};
        CHECK(unpack(e, NULL) == 0);
        CHECK(lstat(t_path("root/bin/su"), &st) == 0 && (st.st_mode & 07777) == 04755);
        CHECK(st.st_mtime == 1300000000);
        /* The file's group is ours (no chown here), so setgid stays without CAP_FSETID. */
        CHECK(lstat(t_path("root/bin/sg"), &st) == 0 && (st.st_mode & 07777) == 02755);
        CHECK(lstat(t_path("root/bin/ln"), &st) == 0 && st.st_mtime == 1200000000);
        CHECK(lstat(t_path("root/bin"), &st) == 0 && st.st_mtime == 1400000000);
        CHECK(lstat(t_path("root/tmp"), &st) == 0 && (st.st_mode & 07777) == 01777);
        CHECK(lstat(t_path("root/dup"), &st) == 0 && (st.st_mode & 07777) == 0711);
        CHECK(lstat(t_path("root"), &st) == 0 && (st.st_mode & 07777) == 0750);
        CHECK(st.st_mtime == 1500000000);
        return 0;
}

static int test_long_names(void)
{
        char *deep = malloc(300 * 2 + 8), *longname = malloc(5000);
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        CHECK(setup() == 0);
        CHECK(deep && longname);
        deep[0] = 0;
        for (int i = 0; i < 300; i++)
                strcat(deep, "d/");
        strcat(deep, "f");
        memset(longname, 'n', 4999);
        longname[4999] = 0;
        const struct tentry e1[] = {{deep, 'f', 0, "x"}, T_END};
        const struct tentry e2[] = {{longname, 'f', 0, "x"}, T_END};
        CHECK(unpack(e1, &err) < 0);
        CHECK(unpack(e2, &err2) < 0);
        free(deep);
        free(longname);
        CHECK_MSG(t_one_line_with(err, "is too long"), "got %s", err);
        CHECK_MSG(t_one_line_with(err2, "is too long"), "got %s", err2);
        CHECK(t_count_dir(t_path("root")) == 0);
        return 0;
}

static int test_hostile_names_quoted(void)
{
        _cleanup_free_ char *err = NULL;

        CHECK(setup() == 0);
        const struct tentry e[] = {{"a\nsandbox: forged line/../x", 'f', 0, "x"}, T_END};
        CHECK(unpack(e, &err) < 0);
        CHECK_MSG(t_one_line_with(err, "a\\x0asandbox: forged line/../x"), "got %s", err);
        return 0;
}

static int test_utf8_names(void)
{
        CHECK(setup() == 0);
        const struct tentry e[] = {{"usr/share/zoneinfo/Am\xc3\xa9rica", 'f', 0, "tz"},
                                   {"\xe6\x97\xa5\xe6\x9c\xac/", 'd'},
                                   T_END};
        CHECK(unpack(e, NULL) == 0);
        CHECK(file_is(t_path("root/usr/share/zoneinfo/Am\xc3\xa9rica"), "tz"));
        CHECK(t_exists(t_path("root/\xe6\x97\xa5\xe6\x9c\xac")));
        return 0;
}

static int test_entry_cap(void)
{
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL;

        CHECK(setup() == 0);
        o.max_entries = 3;
        const struct tentry e[] = {{"1", 'f'}, {"2", 'f'}, {"3", 'f'}, {"4", 'f'}, T_END};
        CHECK(t_archive(t_path("a.tar"), "none", "pax", e) == 0);
        CHECK(t_extract(t_path("a.tar"), t_path("root"), &o, NULL, &err, NULL) < 0);
        CHECK_MSG(t_one_line_with(err, "more than 3 entries"), "got %s", err);
        CHECK(!t_exists(t_path("root/4")));
        return 0;
}

static int test_owner_beyond_map(void)
{
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        CHECK(setup() == 0);
        o.skip_chown = false;
        o.uid_count = o.gid_count = 65536;
        const struct tentry e[] = {{"etc/shadow", 'f', 0640, "x", NULL, 70000, 0}, T_END};
        CHECK(t_archive(t_path("a.tar"), "none", "pax", e) == 0);
        CHECK(t_extract(t_path("a.tar"), t_path("root"), &o, NULL, &err, NULL) < 0);
        CHECK_MSG(t_one_line_with(err, "sandbox: test.tar: 'etc/shadow' is owned by uid 70000, "
                                       "beyond the 65536 ids mapped for you (extend your range "
                                       "in /etc/subuid)\n"),
                  "got %s", err);
        CHECK(!t_exists(t_path("root/etc/shadow")));
        const struct tentry g[] = {{"x", 'f', 0, "x", NULL, 0, 65536}, T_END};
        CHECK(t_archive(t_path("a.tar"), "none", "pax", g) == 0);
        CHECK(t_extract(t_path("a.tar"), t_path("root"), &o, NULL, &err2, NULL) < 0);
        CHECK_MSG(t_one_line_with(err2, "owned by gid 65536, beyond the 65536 ids mapped for you "
                                        "(extend your range in /etc/subgid)"),
                  "got %s", err2);
        return 0;
}

int main(void)
{
        static const struct test tests[] = {
            {"absolute names land inside", test_absolute_names},
            {"'..' components are refused", test_dotdot_refused},
            {"no write through a dangling symlink", test_symlink_write_through},
            {"symlinks resolve in root", test_symlink_resolved_in_root},
            {"hard links", test_hardlinks},
            {"hard links cannot reach out", test_hardlink_escapes},
            {"devices skipped and counted, FIFOs made", test_devices_skipped},
            {"0555 and 0000 directories", test_readonly_dirs},
            {"replacing files, directories, symlinks", test_replacements},
            {"modes (setuid, sticky) and mtimes", test_modes_and_times},
            {"long names refused", test_long_names},
            {"hostile names are quoted in messages", test_hostile_names_quoted},
            {"UTF-8 names kept byte for byte", test_utf8_names},
            {"entry count cap", test_entry_cap},
            {"owners beyond the mapped range", test_owner_beyond_map},
        };
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
