/* Layered images: which config and which layers an OCI image layout or a docker-save archive
 * holds for the image asked for, every JSON file verified against its digest. Pure logic over
 * the files of the layout; runs in the unpacker (root in the sandbox's user namespace). */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "tree.h"

#define MAX_NESTING 4 /* an index of indexes of ... */

static void json_putp(json_object **j)
{
        if (*j)
                json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

static bool is_hex64(const char *s)
{
        return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
        unsigned char d[SHA256_DIGEST_SIZE];
        struct sha256_ctx ctx;

        sha256_init(&ctx);
        sha256_update(&ctx, len, data);
        sha256_digest(&ctx, sizeof d, d);
        for (size_t i = 0; i < sizeof d; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A path the layout names, made relative to it; anything reaching out is refused. */
static int layout_path(const char *image, const char *what, const char *raw, char out[PATH_MAX])
{
        char q[256];

        if (raw[0] != '/' && tree_sanitize(raw, out) > 0)
                return 0;
        return log_error("%s: %s names '%s', which is not a file inside the image; refusing it",
                         image, what, tree_quote(raw, q, sizeof q));
}

static json_object *parse_json(const char *image, const char *what, const char *buf, size_t len,
                               json_type want)
{
        json_tokener *tok = json_tokener_new();
        json_object *j = tok ? json_tokener_parse_ex(tok, buf, (int)len) : NULL;
        char q[128];

        if (j && json_tokener_get_error(tok) == json_tokener_success &&
            tok->char_offset == (int)len && json_object_is_type(j, want)) {
                json_tokener_free(tok);
                return j;
        }
        if (j)
                json_object_put(j);
        json_tokener_free(tok);
        log_error("%s: %s is not a JSON %s; the image is damaged", image,
                  tree_quote(what, q, sizeof q), want == json_type_array ? "array" : "object");
        return NULL;
}

static const char *jstr(json_object *o, const char *key)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static json_object *jget(json_object *o, const char *key, json_type t)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
                return NULL;
        return v;
}

/* "sha256:<64 hex>" to its hex. */
static int digest_hex(const char *image, const char *digest, char out[65])
{
        char q[128];

        if (digest && !strncmp(digest, "sha256:", 7) && is_hex64(digest + 7)) {
                memcpy(out, digest + 7, 65);
                return 0;
        }
        return log_error("%s: '%s' is not a sha256 digest (sha256:<64 hex digits>, the only "
                         "algorithm supported)",
                         image, tree_quote(digest ? digest : "", q, sizeof q));
}

/* A JSON blob a descriptor names, its digest and size checked. */
static json_object *read_blob(const struct layout_src *s, const char *image, json_object *desc,
                              json_type want, char ret_hex[65], char **ret_buf, size_t *ret_len)
{
        json_object *size = jget(desc, "size", json_type_int);
        char path[80], got[65];
        _cleanup_free_ char *buf = NULL;
        json_object *j;
        size_t len;

        if (digest_hex(image, jstr(desc, "digest"), ret_hex) < 0)
                return NULL;
        snprintf(path, sizeof path, "blobs/sha256/%s", ret_hex);
        if (layout_src_read(s, image, path, &buf, &len) < 0)
                return NULL;
        sha256_hex(buf, len, got);
        if (strcmp(got, ret_hex) != 0 || (size && json_object_get_int64(size) != (int64_t)len)) {
                log_error("%s: blob sha256:%s is corrupt (its content hashes to sha256:%s); fetch "
                          "the image again",
                          image, ret_hex, got);
                return NULL;
        }
        j = parse_json(image, path, buf, len, want);
        if (j && ret_buf) {
                *ret_buf = TAKE_PTR(buf);
                *ret_len = len;
        }
        return j;
}

/* The plan's layers, one for each of the manifest's, allocated once the config's diff_ids
 * (returned in *ret_diffs) are known to match them one for one. */
static int plan_layers(const char *image, json_object *config, json_object *layers,
                       struct layout_plan *p, json_object **ret_diffs)
{
        json_object *diffs =
            jget(jget(config, "rootfs", json_type_object), "diff_ids", json_type_array);

        p->n_layers = json_object_array_length(layers);
        if (!diffs || json_object_array_length(diffs) != p->n_layers)
                return log_error("%s: the config lists %zu layer digests for %zu layers; the image "
                                 "is damaged",
                                 image, diffs ? json_object_array_length(diffs) : 0, p->n_layers);
        if (p->n_layers > LAYOUT_MAX_LAYERS)
                return log_error("%s: %zu layers, more than the %d overlayfs can stack", image,
                                 p->n_layers, LAYOUT_MAX_LAYERS);
        p->layers = calloc(p->n_layers ? p->n_layers : 1, sizeof *p->layers);
        if (!p->layers)
                return log_errno(-ENOMEM, "%s", image);
        *ret_diffs = diffs;
        return 0;
}

const char *layout_machine_arch(void)
{
        static const char *const names[][2] = {
            {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"i686", "386"},
            {"i386", "386"},        {"armv7l", "arm"},    {"armv6l", "arm"},
            {"ppc64le", "ppc64le"}, {"s390x", "s390x"},   {"riscv64", "riscv64"},
        };
        static struct utsname u;

        if (uname(&u) < 0)
                return "unknown";
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (!strcmp(u.machine, names[i][0]))
                        return names[i][1];
        return u.machine;
}

/* --- selecting by name ---------------------------------------------------------------------- */

/* docker.io/library/alpine, library/alpine and alpine:latest all name alpine:latest. */
static void norm_name(const char *in, char *out, size_t size)
{
        const char *p = in, *slash, *colon;

        if (!strncmp(p, "docker.io/", 10))
                p += 10;
        else if (!strncmp(p, "index.docker.io/", 16))
                p += 16;
        if (!strncmp(p, "library/", 8))
                p += 8;
        snprintf(out, size, "%.*s", (int)strcspn(p, "@"), p);
        slash = strrchr(out, '/');
        colon = strrchr(out, ':');
        if (!colon || (slash && colon < slash))
                snprintf(out + strlen(out), size - strlen(out), ":latest");
}

static bool name_matches(const char *candidate, const char *ref)
{
        char a[512], b[512];
        const char *tag;

        if (!candidate)
                return false;
        if (!strcmp(candidate, ref))
                return true;
        norm_name(candidate, a, sizeof a);
        norm_name(ref, b, sizeof b);
        if (!strcmp(a, b))
                return true;
        /* An OCI layout often names an image by its tag alone ("3.20"). */
        tag = strrchr(ref, ':');
        return !strchr(candidate, ':') && !strchr(candidate, '/') && tag && !strchr(tag, '/') &&
               !strcmp(candidate, tag + 1);
}

static bool is_digest_ref(const char *ref)
{
        return ref && !strncmp(ref, "sha256:", 7);
}

/* "a, b, c" of the images an archive holds, for a message. */
static void list_names(char *buf, size_t size, const char *const *names, size_t n)
{
        size_t o = 0;

        buf[0] = 0;
        for (size_t i = 0; i < n && o + 1 < size; i++)
                o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "",
                                      names[i] ? names[i] : "(unnamed)");
}

/* --- OCI image layout ---------------------------------------------------------------------- */

static bool media_is(json_object *desc, const char *a, const char *b)
{
        const char *t = jstr(desc, "mediaType");
        return t && (!strcmp(t, a) || !strcmp(t, b));
}

static bool is_index(json_object *desc, json_object *blob)
{
        if (media_is(desc, "application/vnd.oci.image.index.v1+json",
                     "application/vnd.docker.distribution.manifest.list.v2+json"))
                return true;
        return !jstr(desc, "mediaType") && jget(blob, "manifests", json_type_array);
}

static int layer_media_ok(const char *image, json_object *desc)
{
        const char *t = jstr(desc, "mediaType");
        char q[160];

        if (!t || (strstr(t, ".tar") && !strstr(t, "encrypted")))
                return 0;
        return log_error("%s: a layer has media type '%s', not a tar layer this tool can unpack",
                         image, tree_quote(t, q, sizeof q));
}

static const char *desc_name(json_object *desc)
{
        json_object *ann = jget(desc, "annotations", json_type_object);
        const char *n = jstr(ann, "io.containerd.image.name");
        return n ? n : jstr(ann, "org.opencontainers.image.ref.name");
}

static bool desc_named(json_object *desc, const char *ref)
{
        json_object *ann = jget(desc, "annotations", json_type_object);
        return name_matches(jstr(ann, "io.containerd.image.name"), ref) ||
               name_matches(jstr(ann, "org.opencontainers.image.ref.name"), ref);
}

/* The manifest of an index for this machine, or the one a digest ref names. */
static json_object *pick_platform(const char *image, json_object *index, const char *ref)
{
        json_object *list = jget(index, "manifests", json_type_array);
        const char *arch = layout_machine_arch();
        char have[512];
        size_t n = list ? json_object_array_length(list) : 0, o = 0;

        have[0] = 0;
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(list, i);
                json_object *p = jget(d, "platform", json_type_object);
                const char *os = jstr(p, "os"), *a = jstr(p, "architecture");
                if (is_digest_ref(ref) && jstr(d, "digest") && !strcmp(jstr(d, "digest"), ref))
                        return d;
                if ((!os || !strcmp(os, "linux")) && (!a || !strcmp(a, arch)))
                        return d;
                if (o + 1 < sizeof have)
                        o += (size_t)snprintf(have + o, sizeof have - o, "%s%s/%s", o ? ", " : "",
                                              os ? os : "?", a ? a : "?");
        }
        log_error("%s: no linux/%s image in it (it has: %s)", image, arch, n ? have : "none");
        return NULL;
}

/* Follows a descriptor down to a manifest; fills the plan's config and layers. Returns 1 when
 * the image matched the digest ref (or none was asked for), 0 when it did not. */
static int oci_resolve(const struct layout_src *s, const char *image, json_object *desc,
                       const char *ref, int depth, struct layout_plan *p)
{
        _cleanup_json_ json_object *blob = NULL, *config = NULL;
        json_object *layers, *cdesc, *diffs;
        char hex[65];
        bool matched = !is_digest_ref(ref) || !strcmp(jstr(desc, "digest") ?: "", ref);
        int r;

        if (depth > MAX_NESTING)
                return log_error("%s: image indexes nested more than %d deep", image, MAX_NESTING);
        blob = read_blob(s, image, desc, json_type_object, hex, NULL, NULL);
        if (!blob)
                return -EINVAL;
        if (is_index(desc, blob)) {
                json_object *d = pick_platform(image, blob, ref);
                if (!d)
                        return -EINVAL;
                r = oci_resolve(s, image, d, matched ? NULL : ref, depth + 1, p);
                return r < 0 ? r : r || matched;
        }
        cdesc = jget(blob, "config", json_type_object);
        layers = jget(blob, "layers", json_type_array);
        if (!cdesc || !layers)
                return log_error("%s: manifest sha256:%s has no config or no layers; not an image "
                                 "manifest",
                                 image, hex);
        config =
            read_blob(s, image, cdesc, json_type_object, p->config_hex, &p->config, &p->config_len);
        if (!config)
                return -EINVAL;
        if (!matched && strcmp(jstr(cdesc, "digest"), ref) != 0)
                return 0;
        r = plan_layers(image, config, layers, p, &diffs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_layers; i++) {
                json_object *l = json_object_array_get_idx(layers, i);
                json_object *size = jget(l, "size", json_type_int);
                char path[80];
                if (layer_media_ok(image, l) < 0 ||
                    digest_hex(image, jstr(l, "digest"), p->layers[i].blob) < 0 ||
                    digest_hex(image, json_object_get_string(json_object_array_get_idx(diffs, i)),
                               p->layers[i].diff) < 0)
                        return -EINVAL;
                snprintf(path, sizeof path, "blobs/sha256/%s", p->layers[i].blob);
                p->layers[i].path = strdup(path);
                p->layers[i].size = size ? json_object_get_int64(size) : -1;
                if (!p->layers[i].path)
                        return log_errno(-ENOMEM, "%s", image);
        }
        return 1;
}

static int oci_plan(const struct layout_src *s, const char *image, const char *ref,
                    struct layout_plan *p)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ const char **names = NULL;
        _cleanup_json_ json_object *index = NULL;
        json_object *list, *pick = NULL;
        char have[1024];
        size_t len, n;
        int r;

        if (layout_src_read(s, image, "index.json", &buf, &len) < 0)
                return -EINVAL;
        index = parse_json(image, "index.json", buf, len, json_type_object);
        if (!index)
                return -EINVAL;
        list = jget(index, "manifests", json_type_array);
        n = list ? json_object_array_length(list) : 0;
        names = calloc(n + 1, sizeof *names);
        if (!names)
                return log_errno(-ENOMEM, "%s", image);
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(list, i);
                names[i] = desc_name(d) ?: jstr(d, "digest");
                if (!ref || (!is_digest_ref(ref) && !desc_named(d, ref)))
                        continue;
                if (is_digest_ref(ref)) {
                        /* A manifest or config digest, at any depth: try each image. */
                        struct layout_plan q = {0};
                        r = oci_resolve(s, image, d, ref, 0, &q);
                        if (r > 0) {
                                *p = q;
                                p->name = strdup(ref);
                                return p->name ? 0 : log_errno(-ENOMEM, "%s", image);
                        }
                        layout_plan_free(&q);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (pick && strcmp(jstr(pick, "digest") ?: "", jstr(d, "digest") ?: "") != 0)
                        return log_error("%s: '%s' names more than one image; pick one by digest "
                                         "(IMAGE@sha256:...)",
                                         image, ref);
                pick = d;
        }
        list_names(have, sizeof have, names, n);
        if (!ref && n == 1)
                pick = json_object_array_get_idx(list, 0);
        if (!pick && !ref)
                return log_error("%s holds %zu images (%s); pick one: %s:NAME or %s@sha256:DIGEST",
                                 image, n, n ? have : "none", image, image);
        if (!pick)
                return log_error("%s: no image '%s' in it (it has: %s)", image, ref,
                                 n ? have : "none");
        r = oci_resolve(s, image, pick, NULL, 0, p);
        if (r < 0)
                return r;
        p->name = strdup(desc_name(pick) ?: jstr(pick, "digest") ?: "?");
        return p->name ? 0 : log_errno(-ENOMEM, "%s", image);
}

/* --- docker save --------------------------------------------------------------------------- */

/* The digest a docker-save path carries: blobs/sha256/HEX or HEX.json; "" when none. */
static void path_digest(const char *path, char out[65])
{
        const char *b = strrchr(path, '/');
        char buf[80];

        out[0] = 0;
        if (!strncmp(path, "blobs/sha256/", 13) && is_hex64(path + 13)) {
                memcpy(out, path + 13, 65);
                return;
        }
        b = b ? b + 1 : path;
        if (strlen(b) == 69 && !strcmp(b + 64, ".json")) {
                snprintf(buf, sizeof buf, "%.64s", b);
                if (is_hex64(buf))
                        memcpy(out, buf, 65);
        }
}

static const char *docker_name(json_object *entry, char *buf, size_t size)
{
        json_object *tags = jget(entry, "RepoTags", json_type_array);
        const char *cfg = jstr(entry, "Config");
        char hex[65] = "";

        if (tags && json_object_array_length(tags) > 0 &&
            json_object_is_type(json_object_array_get_idx(tags, 0), json_type_string))
                return json_object_get_string(json_object_array_get_idx(tags, 0));
        if (cfg)
                path_digest(cfg, hex);
        snprintf(buf, size, "sha256:%s", hex[0] ? hex : "?");
        return buf;
}

static bool docker_matches(json_object *entry, const char *ref, const char *config_hex)
{
        json_object *tags = jget(entry, "RepoTags", json_type_array);

        if (is_digest_ref(ref))
                return config_hex[0] && !strcmp(ref + 7, config_hex);
        for (size_t i = 0; tags && i < json_object_array_length(tags); i++) {
                json_object *t = json_object_array_get_idx(tags, i);
                if (json_object_is_type(t, json_type_string) &&
                    name_matches(json_object_get_string(t), ref))
                        return true;
        }
        return false;
}

static int docker_layers(const struct layout_src *s, const char *image, json_object *entry,
                         struct layout_plan *p)
{
        json_object *layers = jget(entry, "Layers", json_type_array);
        _cleanup_json_ json_object *config = NULL;
        json_object *diffs;
        char path[PATH_MAX], got[65];
        const char *cfg = jstr(entry, "Config");
        int r;

        if (!cfg || !layers)
                return log_error("%s: manifest.json has an image without Config or Layers; not a "
                                 "docker save archive",
                                 image);
        if (layout_path(image, "manifest.json", cfg, path) < 0 ||
            layout_src_read(s, image, path, &p->config, &p->config_len) < 0)
                return -EINVAL;
        path_digest(path, p->config_hex);
        sha256_hex(p->config, p->config_len, got);
        if (p->config_hex[0] && strcmp(got, p->config_hex) != 0)
                return log_error("%s: config sha256:%s is corrupt (its content hashes to "
                                 "sha256:%s); fetch the image again",
                                 image, p->config_hex, got);
        memcpy(p->config_hex, got, sizeof got);
        config = parse_json(image, path, p->config, p->config_len, json_type_object);
        if (!config)
                return -EINVAL;
        r = plan_layers(image, config, layers, p, &diffs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_layers; i++) {
                json_object *l = json_object_array_get_idx(layers, i);
                const char *raw =
                    json_object_is_type(l, json_type_string) ? json_object_get_string(l) : "";
                if (layout_path(image, "manifest.json", raw, path) < 0 ||
                    digest_hex(image, json_object_get_string(json_object_array_get_idx(diffs, i)),
                               p->layers[i].diff) < 0)
                        return -EINVAL;
                path_digest(path, p->layers[i].blob);
                p->layers[i].path = strdup(path);
                p->layers[i].size = -1;
                if (!p->layers[i].path)
                        return log_errno(-ENOMEM, "%s", image);
        }
        return 0;
}

static int docker_plan(const struct layout_src *s, const char *image, const char *ref,
                       struct layout_plan *p)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ const char **names = NULL;
        _cleanup_json_ json_object *m = NULL;
        json_object *pick = NULL;
        char have[1024], (*bufs)[80] = NULL;
        size_t len, n;
        int r;

        if (layout_src_read(s, image, "manifest.json", &buf, &len) < 0)
                return -EINVAL;
        m = parse_json(image, "manifest.json", buf, len, json_type_array);
        if (!m)
                return -EINVAL;
        n = json_object_array_length(m);
        names = calloc(n + 1, sizeof *names);
        bufs = calloc(n + 1, sizeof *bufs);
        if (!names || !bufs) {
                free(bufs);
                return log_errno(-ENOMEM, "%s", image);
        }
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(m, i);
                char hex[65] = "";
                names[i] = docker_name(e, bufs[i], sizeof bufs[i]);
                if (jstr(e, "Config"))
                        path_digest(jstr(e, "Config"), hex);
                if (ref && docker_matches(e, ref, hex) && !pick)
                        pick = e;
        }
        list_names(have, sizeof have, names, n);
        if (!ref && n == 1)
                pick = json_object_array_get_idx(m, 0);
        if (!pick && !ref)
                r = log_error("%s holds %zu images (%s); pick one: %s:NAME or %s@sha256:DIGEST",
                              image, n, n ? have : "none", image, image);
        else if (!pick)
                r = log_error("%s: no image '%s' in it (it has: %s)", image, ref,
                              n ? have : "none");
        else
                r = docker_layers(s, image, pick, p);
        if (r >= 0) {
                char nb[80];
                p->name = strdup(ref ? ref : docker_name(pick, nb, sizeof nb));
                r = p->name ? 0 : log_errno(-ENOMEM, "%s", image);
        }
        free(bufs);
        return r;
}

int layout_plan_build(const struct layout_src *s, const char *image, const char *ref,
                      struct layout_plan *ret)
{
        int r;

        *ret = (struct layout_plan){0};
        /* docker save (25 and later) writes an OCI layout too; its index is the better source:
         * every manifest in it has a digest. */
        if (layout_src_has(s, "index.json") &&
            (layout_src_has(s, "oci-layout") || !layout_src_has(s, "manifest.json"))) {
                ret->format = "OCI";
                r = oci_plan(s, image, ref, ret);
        } else if (layout_src_has(s, "manifest.json")) {
                ret->format = "docker";
                r = docker_plan(s, image, ref, ret);
        } else {
                r = log_error("%s: neither index.json (an OCI layout) nor manifest.json (docker "
                              "save) in it; not a layered image",
                              image);
        }
        if (r < 0)
                layout_plan_free(ret);
        return r;
}

void layout_plan_free(struct layout_plan *p)
{
        for (size_t i = 0; p->layers && i < p->n_layers; i++)
                free(p->layers[i].path);
        free(p->layers);
        free(p->config);
        free(p->name);
        *p = (struct layout_plan){0};
}
