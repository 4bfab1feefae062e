/* The unpacker's confinement: once confined, it can write only beneath the cache, read only the
 * cache and the image, exec nothing; extraction still works. Runs unprivileged. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "landlock.h"
#include "testlib.h"

static const struct tentry tree[] = {{"d/f", 'f', 0, "f"},
                                     {"d/l", 'l', 0, NULL, "f"},
                                     {"d/h", 'h', 0, NULL, "d/f"},
                                     {"d/p", 'p'},
                                     {"d/\xc3\xa9t\xc3\xa9", 'f', 0, "utf8"},
                                     {"d/", 'd', 0555},
                                     T_END};

static int denied(int r)
{
        return r < 0 && errno == EACCES;
}

/* In a child: confine, then probe what is still allowed. */
static int confined_child(void)
{
        _cleanup_close_ int cache = open(t_path("cache"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int image = open(t_path("img.tar"), O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int root = -1, fd = -1;
        struct extract_opts o = t_opts();
        char *false_argv[] = {"/bin/false", NULL}; /* if it ran, the test fails */
        _cleanup_free_ char *outside = strdup(t_path("outside/x"));
        _cleanup_free_ char *img = strdup(t_path("img.tar")), *rootp = strdup(t_path("cache/r"));

        CHECK(cache >= 0 && image >= 0);
        CHECK(confine_self(cache, image) == 0);
        CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
        /* Outside: no reads, no writes, no exec. */
        CHECK(denied(open("/etc/passwd", O_RDONLY | O_CLOEXEC)));
        CHECK(denied(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
        CHECK(denied(open(outside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
        CHECK(denied(mkdir(t_path("outside/d"), 0700)));
        CHECK(denied(execv(false_argv[0], false_argv)));
        if (landlock_abi() >= 4) {
                struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(1)};
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                CHECK(fd >= 0 && denied(connect(fd, (struct sockaddr *)&sin, sizeof sin)));
        }
        /* The image, by path too, and the cache. */
        fd = open(img, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK(mkdirat(cache, "r", 0755) == 0);
        CHECK(t_extract(img, rootp, &o, NULL, NULL, NULL) == 0);
        CHECK(mkdirat(cache, "other", 0700) == 0);
        CHECK(renameat(cache, "r", cache, "other/r") == 0); /* tmp/ to images/: REFER */
        /* The whiteouts of layers (0/0 character devices) may be made in the cache. */
        CHECK(mknodat(cache, "wh", S_IFCHR | 0600, makedev(0, 0)) == 0);
        return 0;
}

/* An image that is a directory (an OCI layout): readable beneath it, nothing else. */
static int confined_dir_child(void)
{
        _cleanup_close_ int cache = open(t_path("cache"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int image = open(t_path("layout"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *blob = strdup(t_path("layout/blobs/b"));
        _cleanup_free_ char *outside = strdup(t_path("outside/x"));

        CHECK(cache >= 0 && image >= 0);
        CHECK(confine_self(cache, image) == 0);
        fd = open(blob, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK(denied(open(outside, O_RDONLY | O_CLOEXEC)));
        CHECK(denied(open(t_path("layout/new"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
        return 0;
}

static int test_confined(void)
{
        pid_t pid;
        char p[4096];
        struct stat st;

        if (landlock_abi() < 1)
                return t_skip("this kernel has no Landlock (or it is disabled); only no_new_privs "
                              "applies");
        CHECK(mkdir(t_path("cache"), 0700) == 0 && mkdir(t_path("outside"), 0755) == 0);
        CHECK(t_archive(t_path("img.tar"), "gzip", "pax", tree) == 0);
        fflush(NULL);
        pid = fork();
        if (pid == 0)
                _exit(confined_child());
        CHECK(t_wait(pid) == 0);
        CHECK(t_count_dir(t_path("outside")) == 0);
        snprintf(p, sizeof p, "%s", t_path("cache/other/r/d/\xc3\xa9t\xc3\xa9"));
        CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode));
        CHECK(chmod(t_path("cache/other/r/d"), 0755) == 0);
        return 0;
}

static int test_confined_dir(void)
{
        pid_t pid;

        if (landlock_abi() < 1)
                return t_skip("this kernel has no Landlock (or it is disabled); only no_new_privs "
                              "applies");
        CHECK(mkdir(t_path("cache"), 0700) == 0 && mkdir(t_path("outside"), 0755) == 0);
        CHECK(mkdir(t_path("layout"), 0755) == 0 && mkdir(t_path("layout/blobs"), 0755) == 0);
        CHECK(t_write_file(t_path("layout/blobs/b"), "blob", 4) == 0);
        CHECK(t_write_file(t_path("outside/x"), "x", 1) == 0);
        fflush(NULL);
        pid = fork();
        if (pid == 0)
                _exit(confined_dir_child());
        CHECK(t_wait(pid) == 0);
        CHECK(!t_exists(t_path("layout/new")));
        return 0;
}

int main(void)
{
        static const struct test tests[] = {
            {"confined: only the cache and the image", test_confined},
            {"confined with a directory image", test_confined_dir},
        };
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
