/* Layered images in the unpacker: whiteouts and opaque directories made for overlayfs, the
 * choice of an image in an OCI layout (names, digests, nested indexes), digests checked, and
 * the real helper on a layout. Runs unprivileged, no namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layout.h"
#include "testlib.h"

static const char *helper;

static struct extract_opts layer_opts(void)
{
        struct extract_opts o = t_opts();
        o.layer = true;
        return o;
}

static bool is_whiteout(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

static bool is_opaque(const char *path)
{
        char v[4] = "";
        return getxattr(path, EXTRACT_OPAQUE_XATTR, v, sizeof v) == 1 && v[0] == 'y';
}

static int test_whiteouts(void)
{
        static const struct tentry layer[] = {{"etc/", 'd'},
                                              {"etc/.wh.passwd", 'f'},
                                              {"d/", 'd'},
                                              {"d/.wh..wh..opq", 'f'},
                                              {"d/keep", 'f', 0, "kept"},
                                              {"x", 'f', 0, "x"},
                                              {".wh.x", 'f'}, /* x of this layer stays */
                                              {".wh.y", 'f'},
                                              {"y", 'f', 0, "y"}, /* and so does a later y */
                                              {"new/deep/.wh.gone", 'f'},
                                              {".wh..wh.plnk/123", 'f', 0, "aufs"},
                                              T_END};
        struct extract_opts o = layer_opts();
        struct extract_stats st;
        _cleanup_free_ char *x = NULL, *y = NULL;

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_archive(t_path("l.tar"), "gzip", "pax", layer) == 0);
        CHECK(t_extract(t_path("l.tar"), t_path("root"), &o, &st, NULL, NULL) == 0);
        CHECK(is_whiteout(t_path("root/etc/passwd")));
        CHECK(is_opaque(t_path("root/d")) && !is_opaque(t_path("root/etc")));
        CHECK(t_exists(t_path("root/d/keep")) && !t_exists(t_path("root/d/.wh..wh..opq")));
        CHECK((x = t_read_file(t_path("root/x"), NULL)) && !strcmp(x, "x"));
        CHECK((y = t_read_file(t_path("root/y"), NULL)) && !strcmp(y, "y"));
        CHECK(is_whiteout(t_path("root/new/deep/gone")));
        CHECK(!t_exists(t_path("root/.wh.x")) && !t_exists(t_path("root/.wh..wh.plnk")));
        CHECK_MSG(st.whiteouts == 4, "whiteouts: %llu", (unsigned long long)st.whiteouts);
        return 0;
}

/* In a root file system tarball, .wh. names are ordinary files. */
static int test_not_a_layer(void)
{
        static const struct tentry tar[] = {{".wh.x", 'f', 0, "plain"}, T_END};
        struct extract_opts o = t_opts();

        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_archive(t_path("r.tar"), "none", "ustar", tar) == 0);
        CHECK(t_extract(t_path("r.tar"), t_path("root"), &o, NULL, NULL, NULL) == 0);
        CHECK(t_exists(t_path("root/.wh.x")) && !t_exists(t_path("root/x")));
        return 0;
}

static int test_bad_whiteouts(void)
{
        static const struct tentry dotdot[] = {{"d/.wh...", 'f'}, T_END};
        static const struct tentry dot[] = {{"d/.wh..", 'f'}, T_END};
        static const struct tentry empty[] = {{".wh.", 'f'}, T_END};
        static const struct tentry up[] = {{"../.wh.etc", 'f'}, T_END};
        const struct tentry *bad[] = {dotdot, dot, empty, up};
        struct extract_opts o = layer_opts();

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                _cleanup_free_ char *err = NULL;
                CHECK(mkdir(t_path("root"), 0755) == 0);
                CHECK(t_archive(t_path("b.tar"), "none", "pax", bad[i]) == 0);
                CHECK(t_extract(t_path("b.tar"), t_path("root"), &o, NULL, &err, NULL) < 0);
                CHECK_MSG(t_one_line_with(err, "names no file") ||
                              t_one_line_with(err, "has a '..' component"),
                          "got '%s'", err);
                CHECK(tree_remove_at(AT_FDCWD, t_path("root")) == 0);
        }
        /* An empty layer is valid (a layer's tar may hold nothing). */
        CHECK(mkdir(t_path("root"), 0755) == 0);
        CHECK(t_write_file(t_path("empty.tar"), (char[1024]){0}, 1024) == 0);
        CHECK(t_extract(t_path("empty.tar"), t_path("root"), &o, NULL, NULL, NULL) == 0);
        CHECK(t_count_dir(t_path("root")) == 0);
        return 0;
}

/* --- an OCI layout written by hand ------------------------------------------------------ */

struct img {
        char layer[65], diff[65], config[65], manifest[65];
};

static int write_blob(const char *text, char hex[65])
{
        char path[128];

        CHECK(t_write_file(t_path("tmpblob"), text, strlen(text)) == 0);
        CHECK(t_sha256_file(t_path("tmpblob"), hex) == 0);
        snprintf(path, sizeof path, "oci/blobs/sha256/%s", hex);
        CHECK(rename(t_path("tmpblob"), t_path(path)) == 0);
        return 0;
}

/* One image of one layer holding etc/NAME. */
static int make_image(const char *name, struct img *m)
{
        const struct tentry files[] = {{"etc/", 'd'}, {"etc/name", 'f', 0, name}, T_END};
        char path[128], text[2048];
        size_t clen;

        CHECK(t_archive(t_path("layer.tar"), "none", "pax", files) == 0);
        CHECK(t_sha256_file(t_path("layer.tar"), m->diff) == 0);
        CHECK(t_archive(t_path("layer.tgz"), "gzip", "pax", files) == 0);
        CHECK(t_sha256_file(t_path("layer.tgz"), m->layer) == 0);
        snprintf(path, sizeof path, "oci/blobs/sha256/%s", m->layer);
        CHECK(rename(t_path("layer.tgz"), t_path(path)) == 0);
        snprintf(text, sizeof text,
                 "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/%s\"]},"
                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}",
                 layout_machine_arch(), name, m->diff);
        clen = strlen(text);
        CHECK(write_blob(text, m->config) == 0);
        snprintf(text, sizeof text,
                 "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
                 "vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%s\",\"size\":%zu},"
                 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                 "\"digest\":\"sha256:%s\"}]}",
                 m->config, clen, m->layer);
        CHECK(write_blob(text, m->manifest) == 0);
        return 0;
}

static int make_layout(struct img *a, struct img *b, bool nested)
{
        char text[4096], idx[65];

        CHECK(mkdir(t_path("oci"), 0755) == 0 && mkdir(t_path("oci/blobs"), 0755) == 0 &&
              mkdir(t_path("oci/blobs/sha256"), 0755) == 0);
        CHECK(make_image("alpha", a) == 0 && make_image("beta", b) == 0);
        CHECK(t_write_file(t_path("oci/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", 30) ==
              0);
        if (nested) {
                /* beta behind an index whose first entry is for another machine */
                snprintf(text, sizeof text,
                         "{\"schemaVersion\":2,\"manifests\":["
                         "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                         "\"digest\":\"sha256:%s\",\"platform\":{\"os\":\"linux\","
                         "\"architecture\":\"not-this-one\"}},"
                         "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                         "\"digest\":\"sha256:%s\",\"platform\":{\"os\":\"linux\","
                         "\"architecture\":\"%s\"}}]}",
                         a->manifest, b->manifest, layout_machine_arch());
                CHECK(write_blob(text, idx) == 0);
        }
        snprintf(text, sizeof text,
                 "{\"schemaVersion\":2,\"manifests\":["
                 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                 "\"digest\":\"sha256:%s\",\"annotations\":"
                 "{\"org.opencontainers.image.ref.name\":\"docker.io/library/alpha:1\"}},"
                 "{\"mediaType\":\"application/vnd.oci.image.%s+json\",\"digest\":\"sha256:%s\","
                 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"2\"}}]}",
                 a->manifest, nested ? "index.v1" : "manifest.v1", nested ? idx : b->manifest);
        CHECK(t_write_file(t_path("oci/index.json"), text, strlen(text)) == 0);
        return 0;
}

/* Plans the layout for ref; returns the plan's config digest, or "" with the error in *err. */
static int plan(const char *ref, char hex[65], char **err)
{
        struct layout_src s = {.dirfd = open(t_path("oci"), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
        struct layout_plan p;
        int r;

        t_capture_begin();
        r = layout_plan_build(&s, "oci", ref, &p);
        *err = t_capture_end();
        close(s.dirfd);
        hex[0] = 0;
        if (r >= 0) {
                memcpy(hex, p.config_hex, 65);
                layout_plan_free(&p);
        }
        return r;
}

static int test_select(void)
{
        struct img a, b;
        char hex[65], ref[128];
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL, *e6 = NULL,
                            *e7 = NULL, *e8 = NULL;

        CHECK(make_layout(&a, &b, true) == 0);
        CHECK(plan(NULL, hex, &e1) < 0 && t_one_line_with(e1, "holds 2 images"));
        CHECK(strstr(e1, "docker.io/library/alpha:1") && strstr(e1, ", 2"));
        CHECK(plan("alpha:1", hex, &e2) == 0 && !strcmp(hex, a.config));
        CHECK(plan("library/alpha:1", hex, &e3) == 0 && !strcmp(hex, a.config));
        /* A bare tag names the image of that tag; the nested index gives this machine's. */
        CHECK(plan("beta:2", hex, &e4) == 0 && !strcmp(hex, b.config));
        snprintf(ref, sizeof ref, "sha256:%s", a.manifest);
        CHECK(plan(ref, hex, &e5) == 0 && !strcmp(hex, a.config));
        snprintf(ref, sizeof ref, "sha256:%s", b.config);
        CHECK(plan(ref, hex, &e6) == 0 && !strcmp(hex, b.config));
        CHECK(plan("gamma", hex, &e7) < 0 && t_one_line_with(e7, "no image 'gamma'"));
        /* A blob that is not what its digest says. */
        {
                char path[128];
                snprintf(path, sizeof path, "oci/blobs/sha256/%s", a.config);
                CHECK(t_write_file(t_path(path), "{}", 2) == 0);
                CHECK(plan("alpha:1", hex, &e8) < 0);
                snprintf(ref, sizeof ref, "blob sha256:%s is corrupt", a.config);
                CHECK_MSG(t_one_line_with(e8, ref), "got %s", e8);
        }
        return 0;
}

/* The helper itself: unpacks the layer once, publishes images/KEY/{layers,config}, and refuses a
 * corrupt layer naming its digest, leaving nothing behind. */
static int test_helper(void)
{
        struct img a, b;
        char *argv[] = {(char *)helper, NULL, NULL, "k1", "s", "alpha:1", NULL};
        _cleanup_free_ char *out = NULL, *out2 = NULL, *err = NULL, *cfg = NULL, *name = NULL;
        char want[256], path[256], msg[256];

        CHECK(make_layout(&a, &b, false) == 0);
        CHECK(mkdir(t_path("cache"), 0700) == 0);
        argv[1] = strdup(t_path("cache"));
        argv[2] = strdup(t_path("oci"));
        CHECK(t_spawn(argv, &out, NULL) == 0);
        snprintf(want, sizeof want, "images/%s-s/layers\n", a.config);
        CHECK_MSG(!strcmp(out, want), "printed %s", out);
        snprintf(path, sizeof path, "cache/images/%s-s/config", a.config);
        CHECK((cfg = t_read_file(t_path(path), NULL)) && strstr(cfg, "\ncmd /bin/alpha\n"));
        snprintf(path, sizeof path, "cache/layers/%s-s/tree/etc/name", a.diff);
        CHECK((name = t_read_file(t_path(path), NULL)) && !strcmp(name, "alpha"));
        CHECK(t_count_dir(t_path("cache/layers")) == 1 && t_count_dir(t_path("cache/tmp")) == 0);
        /* A hit under another stat key: same answer, the layer not unpacked again. */
        argv[3] = "k2";
        CHECK(t_spawn(argv, &out2, NULL) == 0 && !strcmp(out, out2));
        /* beta's layer blob damaged: refused, naming the digest; nothing of it stays. */
        snprintf(path, sizeof path, "oci/blobs/sha256/%s", b.layer);
        CHECK(truncate(t_path(path), 40) == 0);
        argv[3] = "k3";
        argv[5] = "2";
        CHECK(t_spawn(argv, NULL, &err) == 1);
        snprintf(msg, sizeof msg, "%s", b.layer);
        CHECK_MSG(t_one_line_with(err, msg), "got %s", err);
        CHECK(t_count_dir(t_path("cache/layers")) == 1 && t_count_dir(t_path("cache/tmp")) == 0);
        CHECK(t_count_dir(t_path("cache/images")) == 1);
        free(argv[1]);
        free(argv[2]);
        return 0;
}

int main(int argc, char **argv)
{
        static const struct test tests[] = {
            {"whiteouts and opaque directories", test_whiteouts},
            {".wh. names outside a layer", test_not_a_layer},
            {"bad whiteouts, empty layers", test_bad_whiteouts},
            {"picking an image of a layout", test_select},
            {"the helper on a layout", test_helper},
        };

        if (argc != 2) {
                fprintf(stderr, "usage: %s SANDBOX_UNPACK\n", argv[0]);
                return 2;
        }
        helper = argv[1];
        return t_run(tests, sizeof tests / sizeof tests[0]);
}
