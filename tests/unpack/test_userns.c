/* The helper where it really runs: root in a user namespace, with a single-id map and with a
 * subordinate range (newuidmap), owners checked inside and outside. Runs unprivileged. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

#define RANGE 65536

static const char *helper;
static unsigned long sub_uid, sub_gid; /* start of the caller's subordinate ranges */

static const struct tentry owned[] = {{"./", 'd', 0755},
                                      {"home/user/", 'd', 0700, NULL, NULL, 1000, 1000},
                                      {"home/user/f", 'f', 0600, "x", NULL, 1000, 1000},
                                      {"bin/su", 'f', 04755, "su", NULL, 0, 0},
                                      {"var/www/", 'd', 0555, NULL, NULL, 33, 33},
                                      {"etc/shadow", 'f', 0640, "s", NULL, 0, 42},
                                      {"lnk", 'l', 0, NULL, "bin/su", 1000, 1000},
                                      {"top", 'f', 0644, "x", NULL, RANGE, RANGE},
                                      T_END};

/* Runs the helper on cache/ and leaves its answer, the rootfs, in rootfs.path. */
static int unpack(const char *image, const char *stat_key, const char *map_fp, char **ret_err)
{
        _cleanup_free_ char *cache = strdup(t_path("cache")), *img = strdup(image);
        char *argv[] = {(char *)helper, cache, img, (char *)stat_key, (char *)map_fp, NULL};
        _cleanup_free_ char *out = NULL;
        int r = t_spawn(argv, &out, ret_err);

        if (r == 0 && t_write_file(t_path("rootfs.path"), out, strlen(out) - 1) < 0)
                return -1;
        return r;
}

static const char *in_rootfs(const char *name)
{
        static char path[4096];
        _cleanup_free_ char *rel = t_read_file(t_path("rootfs.path"), NULL);

        snprintf(path, sizeof path, "%s/cache/%s/%s", t_dir, rel ? rel : "?", name);
        return path;
}

static int owner_is(const char *name, uid_t uid, gid_t gid, mode_t mode)
{
        struct stat st;

        CHECK_MSG(lstat(in_rootfs(name), &st) == 0, "%s: %s", name, strerror(errno));
        CHECK_MSG(st.st_uid == uid && st.st_gid == gid, "%s: owner %u:%u, want %u:%u", name,
                  st.st_uid, st.st_gid, uid, gid);
        CHECK_MSG(mode == 0 || (st.st_mode & 07777) == mode, "%s: mode %o", name, st.st_mode);
        return 0;
}

/* --- Single-id map: every file stays owned by 0, whatever the archive says. */

static int single_child(void)
{
        struct extract_opts o = t_opts();
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        CHECK(unpack(t_path("owned.tar"), "owned", "s", &err) == 0 && !*err);
        CHECK(owner_is("home/user/f", 0, 0, 0600) == 0);
        CHECK(owner_is("bin/su", 0, 0, 04755) == 0);
        CHECK(owner_is("var/www", 0, 0, 0555) == 0);
        /* The extractor itself, told to chown with one id: owner 0 works, others are refused. */
        o.skip_chown = false;
        o.uid_count = o.gid_count = 1;
        CHECK(mkdir(t_path("r"), 0755) == 0);
        CHECK(t_extract(t_path("root-only.tar"), t_path("r"), &o, NULL, NULL, NULL) == 0);
        CHECK(t_extract(t_path("owned.tar"), t_path("r"), &o, NULL, &err2, NULL) < 0);
        CHECK_MSG(t_one_line_with(err2, "'home/user/' is owned by uid 1000, beyond the 1 ids "
                                        "mapped for you"),
                  "got %s", err2);
        return 0;
}

static int test_single_id_map(void)
{
        const struct tentry root_only[] = {{"etc/x", 'f', 04711, "x"}, T_END};
        int r;

        CHECK(mkdir(t_path("cache"), 0700) == 0);
        CHECK(t_archive(t_path("owned.tar"), "gzip", "pax", owned) == 0);
        CHECK(t_archive(t_path("root-only.tar"), "none", "pax", root_only) == 0);
        r = t_in_userns(single_child);
        if (r != 0)
                return r;
        /* Outside, 0 is the caller. */
        return owner_is("home/user/f", getuid(), getgid(), 0600);
}

/* --- A subordinate range: 0 is the caller, 1..65536 the range, as the launcher maps them. */

static int find_range(const char *file, unsigned long *ret_start)
{
        struct passwd *pw = getpwuid(getuid());
        char line[256], uid[32];
        FILE *f = fopen(file, "re");
        int r = -1;

        snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
        while (f && pw && fgets(line, sizeof line, f)) {
                char *name = strtok(line, ":"), *start = strtok(NULL, ":"),
                     *n = strtok(NULL, ":\n");
                if (name && start && n && (!strcmp(name, pw->pw_name) || !strcmp(name, uid)) &&
                    strtoul(n, NULL, 10) >= RANGE) {
                        *ret_start = strtoul(start, NULL, 10);
                        r = 0;
                        break;
                }
        }
        if (f)
                fclose(f);
        return r;
}

static int map_ids(pid_t pid)
{
        char p[16], self_u[16], self_g[16], su[24], sg[24], range[16];
        char *uid_argv[] = {"/usr/bin/newuidmap", p, "0", self_u, "1", "1", su, range, NULL};
        char *gid_argv[] = {"/usr/bin/newgidmap", p, "0", self_g, "1", "1", sg, range, NULL};

        snprintf(p, sizeof p, "%d", (int)pid);
        snprintf(self_u, sizeof self_u, "%u", (unsigned)getuid());
        snprintf(self_g, sizeof self_g, "%u", (unsigned)getgid());
        snprintf(su, sizeof su, "%lu", sub_uid);
        snprintf(sg, sizeof sg, "%lu", sub_gid);
        snprintf(range, sizeof range, "%d", RANGE);
        CHECK(t_spawn(uid_argv, NULL, NULL) == 0);
        CHECK(t_spawn(gid_argv, NULL, NULL) == 0);
        return 0;
}

/* Forks a child into a new user namespace that the parent maps with newuidmap/newgidmap. */
static int in_mapped_userns(int (*fn)(void))
{
        int ready[2], go[2], r;
        char c = 0;
        pid_t pid;

        CHECK(pipe2(ready, O_CLOEXEC) == 0 && pipe2(go, O_CLOEXEC) == 0);
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
                if (write(ready[1], &c, 1) != 1 || c != 'y')
                        _exit(SKIP);
                _exit(read(go[0], &c, 1) == 1 && c == 'y' ? fn() : 1);
        }
        close(ready[1]);
        close(go[0]);
        if (read(ready[0], &c, 1) != 1 || c != 'y') {
                t_wait(pid);
                return t_skip("no unprivileged user namespace here");
        }
        r = map_ids(pid);
        c = r == 0 ? 'y' : 'n';
        if (write(go[1], &c, 1) != 1)
                r = 1;
        close(go[1]);
        close(ready[0]);
        return t_wait(pid) || r;
}

static int range_child(void)
{
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        char want[1024];

        CHECK(unpack(t_path("owned.tar"), "owned", "r65536", &err) == 0 && !*err);
        CHECK(owner_is("home/user", 1000, 1000, 0700) == 0);
        CHECK(owner_is("home/user/f", 1000, 1000, 0600) == 0);
        CHECK(owner_is("lnk", 1000, 1000, 0) == 0);
        CHECK(owner_is("bin/su", 0, 0, 04755) == 0); /* chown first, then the setuid mode */
        CHECK(owner_is("var/www", 33, 33, 0555) == 0);
        CHECK(owner_is("etc/shadow", 0, 42, 0640) == 0);
        CHECK(owner_is("top", RANGE, RANGE, 0644) == 0);
        /* One id too far: refused, nothing left behind. */
        CHECK(unpack(t_path("beyond.tar"), "beyond", "r65536", &err2) == 1);
        snprintf(want, sizeof want,
                 "sandbox: %s: 'etc/x' is owned by uid 70000, beyond the %d ids mapped for you "
                 "(extend your range in /etc/subuid)\n",
                 t_path("beyond.tar"), RANGE + 1);
        CHECK_MSG(!strcmp(err2, want), "got %s", err2);
        CHECK(t_count_dir(t_path("cache/tmp")) == 0 && t_count_dir(t_path("cache/images")) == 1);
        return 0;
}

static int alpine_child(void)
{
        const char *alpine = getenv("SANDBOX_ALPINE");
        _cleanup_free_ char *err = NULL;

        CHECK(unpack(alpine, "alpine", "r65536", &err) == 0 && !*err);
        CHECK(owner_is("etc/shadow", 0, 42, 0640) == 0); /* group shadow */
        CHECK(owner_is("bin/busybox", 0, 0, 0755) == 0);
        return 0;
}

/* Files of subordinate ids can only be removed from inside such a namespace. */
static int cleanup_child(void)
{
        return tree_remove_at(AT_FDCWD, t_path("cache")) == 0 ? 0 : 1;
}

/* Outside: 0 is the caller, n is the range's start + n - 1 (home/user is 0700 to us now). */
static int check_outside(void)
{
        CHECK(owner_is("bin/su", getuid(), getgid(), 04755) == 0);
        CHECK(owner_is("var/www", sub_uid + 32, sub_gid + 32, 0555) == 0);
        CHECK(owner_is("top", sub_uid + RANGE - 1, sub_gid + RANGE - 1, 0644) == 0);
        return 0;
}

static int test_subuid_range(void)
{
        const struct tentry beyond[] = {{"etc/x", 'f', 0, "x", NULL, 70000, 0}, T_END};
        const char *alpine = getenv("SANDBOX_ALPINE");
        int r;

        if (find_range("/etc/subuid", &sub_uid) < 0 || find_range("/etc/subgid", &sub_gid) < 0)
                return t_skip("uid %u has no /etc/subuid and /etc/subgid range of %d ids",
                              (unsigned)getuid(), RANGE);
        if (access("/usr/bin/newuidmap", X_OK) < 0 || access("/usr/bin/newgidmap", X_OK) < 0)
                return t_skip("no newuidmap/newgidmap (Debian package uidmap)");
        CHECK(mkdir(t_path("cache"), 0700) == 0);
        CHECK(t_archive(t_path("owned.tar"), "xz", "pax", owned) == 0);
        CHECK(t_archive(t_path("beyond.tar"), "none", "pax", beyond) == 0);
        r = in_mapped_userns(range_child);
        if (r == 0)
                r = check_outside();
        if (r == 0 && alpine && access(alpine, R_OK) == 0) {
                r = in_mapped_userns(alpine_child);
                if (r == 0)
                        r = owner_is("etc/shadow", getuid(), sub_gid + 41, 0640);
        }
        if (in_mapped_userns(cleanup_child) != 0)
                fprintf(stderr, "  cannot remove %s\n", t_path("cache"));
        return r;
}

int main(int argc, char **argv)
{
        static const struct test tests[] = {
            {"single-id map: owned by 0", test_single_id_map},
            {"subordinate range: owners mapped", test_subuid_range},
        };
        if (argc != 2) {
                fprintf(stderr, "usage: %s SANDBOX_UNPACK\n", argv[0]);
                return 1;
        }
        helper = argv[1];
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
