/* The unpacker's pure pieces: member-name sanitizing, message quoting, argument tokens, id-map
 * parsing. Runs unprivileged, without a user namespace. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idcount.h"
#include "imgcache.h"
#include "testlib.h"

static int test_sanitize(void)
{
        static const struct {
                const char *in;
                int r;
                const char *out;
        } cases[] = {
            {"etc/passwd", 10, "etc/passwd"},
            {"/etc/passwd", 10, "etc/passwd"},
            {"///etc//passwd/", 10, "etc/passwd"},
            {"./etc/./passwd", 10, "etc/passwd"},
            {"././/./etc", 3, "etc"},
            {"./", 0, ""},
            {"/", 0, ""},
            {".", 0, ""},
            {"", 0, ""},
            {"..", -EINVAL, NULL},
            {"../x", -EINVAL, NULL},
            {"a/../b", -EINVAL, NULL},
            {"a/..", -EINVAL, NULL},
            {"/..", -EINVAL, NULL},
            {"...", 3, "..."},
            {"..a/b..", 7, "..a/b.."},
            {".hidden", 7, ".hidden"},
        };
        char out[PATH_MAX];

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                int r = tree_sanitize(cases[i].in, out);
                CHECK_MSG(r == cases[i].r, "'%s': %d", cases[i].in, r);
                if (r >= 0)
                        CHECK_MSG(!strcmp(out, cases[i].out), "'%s': '%s'", cases[i].in, out);
        }
        return 0;
}

static int test_sanitize_limits(void)
{
        static char name[PATH_MAX + 16], out[PATH_MAX];
        size_t n = 0;

        /* 256 components are fine, 257 are not. */
        for (int i = 0; i < TREE_MAX_COMPONENTS; i++)
                n += (size_t)snprintf(name + n, sizeof name - n, "%sd", i ? "/" : "");
        CHECK(tree_sanitize(name, out) == (int)n);
        snprintf(name + n, sizeof name - n, "/d");
        CHECK(tree_sanitize(name, out) == -ENAMETOOLONG);
        /* PATH_MAX - 1 bytes are fine, PATH_MAX are not (even if '/' would shrink it). */
        memset(name, 'a', PATH_MAX - 1);
        name[PATH_MAX - 1] = 0;
        CHECK(tree_sanitize(name, out) == PATH_MAX - 1);
        name[0] = '/';
        name[PATH_MAX - 1] = 'a';
        name[PATH_MAX] = 0;
        CHECK(tree_sanitize(name, out) == -ENAMETOOLONG);
        return 0;
}

static int test_quote(void)
{
        char buf[64], small[12];

        CHECK(!strcmp(tree_quote("plain/name", buf, sizeof buf), "plain/name"));
        CHECK(!strcmp(tree_quote("a\nb\\c\x7f", buf, sizeof buf), "a\\x0ab\\x5cc\\x7f"));
        CHECK(!strcmp(tree_quote("caf\xc3\xa9", buf, sizeof buf), "caf\xc3\xa9"));
        tree_quote("a very long name that does not fit", small, sizeof small);
        CHECK_MSG(strlen(small) < sizeof small && strstr(small, "..."), "got '%s'", small);
        return 0;
}

static int test_tokens(void)
{
        CHECK(imgcache_valid_token("r65536", IMGCACHE_MAP_FP_MAX));
        CHECK(imgcache_valid_token("s", IMGCACHE_MAP_FP_MAX));
        CHECK(imgcache_valid_token("803-1a2b-3f.9-x_y", IMGCACHE_STAT_KEY_MAX));
        CHECK(!imgcache_valid_token("", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token(".", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token("..", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token(".hidden", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token("a/b", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token("a b", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token("a\n", IMGCACHE_MAP_FP_MAX));
        CHECK(!imgcache_valid_token("0123456789012345678901234567890123", IMGCACHE_MAP_FP_MAX));
        return 0;
}

static int test_idcount(void)
{
        uint64_t n;

        CHECK(idcount_parse("         0       1000          1\n", &n) == 0 && n == 1);
        CHECK(idcount_parse("         0       1000          1\n         1     100000      65536\n",
                            &n) == 0 &&
              n == 65537);
        CHECK(idcount_parse("         0          0 4294967295\n", &n) == 0 && n == 4294967295ULL);
        CHECK(idcount_parse("", &n) == 0 && n == 0);
        CHECK(idcount_parse("0 0\n", &n) == -EINVAL);
        CHECK(idcount_parse("0 0 1 junk\n", &n) == -EINVAL);
        CHECK(idcount_read("/proc/self/uid_map", &n) == 0 && n >= 1);
        return 0;
}

static int test_space_check(void)
{
        _cleanup_close_ int fd = open(t_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        CHECK(fd >= 0);
        CHECK(tree_check_space(fd, 0) == 0);
        CHECK(tree_check_space(fd, 4096) == 0);
        CHECK(tree_check_space(fd, 1ULL << 60) == -ENOSPC);
        CHECK(tree_check_space(fd, UINT64_MAX) == -ENOSPC);
        return 0;
}

int main(void)
{
        static const struct test tests[] = {
            {"member names are sanitized", test_sanitize},
            {"name length and depth limits", test_sanitize_limits},
            {"names are quoted for messages", test_quote},
            {"STAT_KEY and MAP_FP tokens", test_tokens},
            {"id map counts", test_idcount},
            {"free-space check", test_space_check},
        };
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
