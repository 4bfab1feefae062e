/* Layered images: the files of an image layout, from a directory or from the members of an
 * archive kept by a first pass (names, links, the small JSON files). Runs in the unpacker (root
 * in the sandbox's user namespace). */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "tree.h"

static bool is_hex64(const char *s)
{
        return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

bool layout_member_is_layout(const char *name)
{
        static const char *const tops[] = {"manifest.json", "index.json", "oci-layout",
                                           "repositories", "blobs"};
        char first[80];
        size_t n = strcspn(name, "/");

        if (n >= sizeof first)
                return false;
        memcpy(first, name, n);
        first[n] = 0;
        for (size_t i = 0; i < ARRAY_SIZE(tops); i++)
                if (!strcmp(first, tops[i]))
                        return true;
        /* docker save: <image id>.json, <layer id>/{VERSION,json,layer.tar} */
        if (n == 69 && !strcmp(first + 64, ".json"))
                first[64] = 0;
        return is_hex64(first);
}

int layout_src_add(struct layout_src *s, const char *name, const char *alias, int64_t size,
                   char *data, size_t len)
{
        struct layout_member *m;

        if (s->n_members == s->cap_members) {
                size_t cap = s->cap_members * 2 + 32;
                m = realloc(s->members, cap * sizeof *m);
                if (!m) {
                        free(data);
                        return -ENOMEM;
                }
                s->members = m;
                s->cap_members = cap;
        }
        m = &s->members[s->n_members];
        *m = (struct layout_member){.name = strdup(name),
                                    .alias = alias ? strdup(alias) : NULL,
                                    .size = size,
                                    .data = data,
                                    .len = len};
        if (!m->name || (alias && !m->alias)) {
                free(m->name);
                free(m->alias);
                free(data);
                return -ENOMEM;
        }
        s->data_bytes += data ? len : 0;
        s->n_members++;
        return 0;
}

void layout_src_free(struct layout_src *s)
{
        for (size_t i = 0; i < s->n_members; i++) {
                free(s->members[i].name);
                free(s->members[i].alias);
                free(s->members[i].data);
        }
        free(s->members);
        s->members = NULL;
        s->n_members = s->cap_members = s->data_bytes = 0;
}

const struct layout_member *layout_src_find(const struct layout_src *s, const char *name)
{
        /* The last member of a name wins, as when tar extracts; aliases are followed a few
         * times (docker save links repeated layers to the first copy). */
        for (int hops = 0; hops < 8; hops++) {
                const struct layout_member *m = NULL;
                for (size_t i = 0; i < s->n_members; i++)
                        if (!strcmp(s->members[i].name, name))
                                m = &s->members[i];
                if (!m || !m->alias)
                        return m;
                name = m->alias;
        }
        return NULL;
}

/* A small file of the layout (JSON), whole. */
int layout_src_read(const struct layout_src *s, const char *image, const char *path, char **ret,
                    size_t *ret_len)
{
        const struct layout_member *m;
        _cleanup_close_ int fd = -1;
        char *buf;
        size_t len = 0;
        ssize_t n;

        if (s->dirfd < 0) {
                m = layout_src_find(s, path);
                if (!m)
                        return log_error("%s: '%s' is missing from the archive", image, path);
                if (!m->data)
                        return log_error("%s: '%s' is not a JSON file of at most %u bytes", image,
                                         path, LAYOUT_JSON_MAX);
                buf = malloc(m->len + 1);
                if (!buf)
                        return log_errno(-ENOMEM, "%s", image);
                memcpy(buf, m->data, m->len);
                buf[m->len] = 0;
                *ret = buf;
                *ret_len = m->len;
                return 0;
        }
        fd = tree_open_in_root(s->dirfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return log_errno(fd, "%s: cannot open '%s'", image, path);
        buf = malloc(LAYOUT_JSON_MAX + 1);
        if (!buf)
                return log_errno(-ENOMEM, "%s", image);
        while ((n = read(fd, buf + len, LAYOUT_JSON_MAX + 1 - len)) > 0 && len <= LAYOUT_JSON_MAX)
                len += (size_t)n;
        if (n < 0 || len > LAYOUT_JSON_MAX) {
                int r = n < 0 ? -errno : -EFBIG;
                free(buf);
                return log_errno(r, "%s: cannot read '%s' (a JSON file of at most %u bytes)", image,
                                 path, LAYOUT_JSON_MAX);
        }
        buf[len] = 0;
        *ret = buf;
        *ret_len = len;
        return 0;
}

bool layout_src_has(const struct layout_src *s, const char *path)
{
        if (s->dirfd < 0)
                return layout_src_find(s, path) != NULL;
        return faccessat(s->dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}
