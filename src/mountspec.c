/* The [filesystem] mount keys of a profile: parsing and checking their values, keeping the
 * config's list in mount order, and writing them back. Runs on the host while the config is
 * built: the only system calls are stat(2) of the bind sources. */
#include "mountspec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "reslimits.h"
#include "schema.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

static const char *const kind_keys[] = {
    [MOUNT_BIND] = "bind",   [MOUNT_RO_BIND] = "ro_bind", [MOUNT_DEV_BIND] = "dev_bind",
    [MOUNT_TMPFS] = "tmpfs", [MOUNT_SYMLINK] = "symlink", [MOUNT_DIR] = "dir",
};

const char *mount_kind_key(enum mount_kind k)
{
        return k < _MOUNT_KIND_MAX ? kind_keys[k] : "?";
}

int path_normalize(const char *in, char **ret)
{
        size_t n = strlen(in);
        char *out, *o;

        if (in[0] != '/')
                return -EINVAL;
        out = o = xcalloc(n + 2, 1);
        for (const char *p = in; *p;) {
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn(p, "/");
                if (len == 0)
                        break;
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        free(out);
                        return -EINVAL;
                }
                if (!(len == 1 && p[0] == '.')) {
                        *o++ = '/';
                        memcpy(o, p, len);
                        o += len;
                }
                p += len;
        }
        if (o == out)
                *o++ = '/';
        *o = 0;
        *ret = out;
        return 0;
}

static bool path_is_below(const char *path, const char *dir)
{
        const char *rest = startswith(path, dir);
        return rest && (*rest == '/' || *rest == 0 || streq(dir, "/"));
}

/* A target inside the sandbox: absolute, normalized, not the root itself, not in the kernel
 * file systems whose masks a mount could undo. */
static int parse_target(const char *v, char **ret, char *err, size_t errsize)
{
        char *t;
        if (path_normalize(v, &t) < 0)
                return ERR("'%s' must be an absolute path inside the sandbox, without '..'", v);
        if (streq(t, "/")) {
                free(t);
                return ERR("'/' cannot be a mount target (see read_only, or use another image)");
        }
        if (path_is_below(t, "/proc") || path_is_below(t, "/sys")) {
                ERR("'%s' is in /proc or /sys, which the sandbox provides (masked paths would be "
                    "uncovered)",
                    t);
                free(t);
                return -EINVAL;
        }
        *ret = t;
        return 0;
}

/* A bind source on the host: absolute and existing. */
static int parse_source(enum mount_kind kind, const char *v, char **ret, char *err, size_t errsize)
{
        struct stat st;
        char *s;

        if (path_normalize(v, &s) < 0)
                return ERR("'%s' must be an absolute host path without '..' (in a profile, "
                           "write ${PWD}/... or ${HOME}/...)",
                           v);
        if (stat(s, &st) < 0) {
                int r = -errno;
                ERR("'%s': %s", s, strerror(-r));
                free(s);
                return -EINVAL;
        }
        /* The real path: what the sandbox gets, and what the danger checks compare. */
        char *real = realpath(s, NULL);
        if (real) {
                free(s);
                s = real;
        }
        if (kind == MOUNT_DEV_BIND && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) &&
            !S_ISDIR(st.st_mode)) {
                ERR("'%s' is not a device or a directory of devices", s);
                free(s);
                return -EINVAL;
        }
        if (kind != MOUNT_DEV_BIND && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
                ERR("'%s' is a device: binds are nodev, use dev_bind (--dev-bind)", s);
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

static int parse_mode(const char *v, uint32_t *ret)
{
        char *end;
        unsigned long m;
        if (!*v || *v == '-')
                return -EINVAL;
        errno = 0;
        m = strtoul(v, &end, 8);
        if (errno || *end || m > 07777)
                return -EINVAL;
        *ret = (uint32_t)m;
        return 0;
}

static int parse_tmpfs_options(const char *opts, struct mount_entry *e, char *err, size_t errsize)
{
        _cleanup_free_ char *copy = xstrdup(opts);
        char *save = NULL;

        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                const char *v;
                if ((v = startswith(o, "size="))) {
                        int64_t size;
                        if (limits_parse_size(v, &size) < 0 || size <= 0)
                                return ERR("tmpfs size '%s' is not a size (e.g. 64M, 1G)", v);
                        e->size = (uint64_t)size;
                } else if ((v = startswith(o, "mode="))) {
                        if (parse_mode(v, &e->mode) < 0)
                                return ERR("tmpfs mode '%s' is not an octal mode (e.g. 1777)", v);
                } else {
                        return ERR("unknown tmpfs option '%s' (size=SIZE, mode=MODE)", o);
                }
        }
        return 0;
}

/* Splits "a:b" at the first ':' into *first and *second (NULL when there is no ':'). */
static void split_colon(const char *v, char **first, char **second)
{
        const char *colon = strchr(v, ':');
        *first = colon ? strndup(v, (size_t)(colon - v)) : xstrdup(v);
        if (!*first)
                abort();
        *second = colon ? xstrdup(colon + 1) : NULL;
}

int mount_parse(enum mount_kind kind, const char *value, struct mount_entry *e, char *err,
                size_t errsize)
{
        _cleanup_free_ char *a = NULL, *b = NULL;
        int r = 0;

        *e = (struct mount_entry){.kind = kind, .mode = MOUNT_MODE_DEFAULT};
        split_colon(value, &a, &b);
        switch (kind) {
        case MOUNT_BIND:
        case MOUNT_RO_BIND:
        case MOUNT_DEV_BIND:
                if (b && strchr(b, ':'))
                        return ERR("'%s' is not SRC[:DST] (paths with ':' are not supported)",
                                   value);
                r = parse_source(kind, a, &e->source, err, errsize);
                if (r == 0)
                        r = parse_target(b && *b ? b : e->source, &e->target, err, errsize);
                break;
        case MOUNT_TMPFS:
                r = parse_target(a, &e->target, err, errsize);
                if (r == 0 && b)
                        r = parse_tmpfs_options(b, e, err, errsize);
                break;
        case MOUNT_SYMLINK:
                if (!b || !*a || strchr(b, ':'))
                        return ERR("'%s' is not TARGET:PATH (PATH becomes a symlink to TARGET)",
                                   value);
                e->source = xstrdup(a);
                r = parse_target(b, &e->target, err, errsize);
                break;
        case MOUNT_DIR:
                r = parse_target(a, &e->target, err, errsize);
                if (r == 0 && b && parse_mode(b, &e->mode) < 0)
                        r = ERR("'%s' is not an octal mode (e.g. 0755)", b);
                break;
        default:
                r = ERR("internal error: mount kind %d", kind);
        }
        if (r < 0)
                mount_entry_done(e);
        return r;
}

static void format_size(uint64_t size, FILE *f)
{
        static const char suffix[] = "KMGT";
        int i = -1;
        while (i < 3 && size >= 1024 && size % 1024 == 0) {
                size /= 1024;
                i++;
        }
        fprintf(f, "%" PRIu64, size);
        if (i >= 0)
                fputc(suffix[i], f);
}

void mount_format_value(const struct mount_entry *e, FILE *f)
{
        const char *sep = ":";
        switch (e->kind) {
        case MOUNT_BIND:
        case MOUNT_RO_BIND:
        case MOUNT_DEV_BIND:
        case MOUNT_SYMLINK:
                setting_write_text(f, e->source);
                fputc(':', f);
                setting_write_text(f, e->target);
                break;
        case MOUNT_TMPFS:
                setting_write_text(f, e->target);
                if (e->size) {
                        fputs(":size=", f);
                        format_size(e->size, f);
                        sep = ",";
                }
                if (e->mode != MOUNT_MODE_DEFAULT)
                        fprintf(f, "%smode=%04o", sep, e->mode);
                break;
        case MOUNT_DIR:
                setting_write_text(f, e->target);
                if (e->mode != MOUNT_MODE_DEFAULT)
                        fprintf(f, ":%04o", e->mode);
                break;
        default:
                break;
        }
}

void mount_entry_done(struct mount_entry *e)
{
        free(e->source);
        free(e->target);
        free(e->origin);
        e->source = e->target = e->origin = NULL;
}

static size_t depth(const char *path)
{
        size_t n = 0;
        for (; *path; path++)
                n += *path == '/';
        return n;
}

void mounts_add(struct config *c, struct mount_entry *e)
{
        struct mount_entry *nm;
        size_t at;

        for (size_t i = 0; i < c->n_mounts; i++)
                if (streq(c->mounts[i].target, e->target)) {
                        mount_entry_done(&c->mounts[i]);
                        memmove(&c->mounts[i], &c->mounts[i + 1],
                                (c->n_mounts - i - 1) * sizeof *c->mounts);
                        c->n_mounts--;
                        break;
                }
        nm = realloc(c->mounts, (c->n_mounts + 1) * sizeof *nm);
        if (!nm)
                abort();
        c->mounts = nm;
        /* After every mount at the same or a smaller depth: stable, parents first. */
        for (at = c->n_mounts; at > 0 && depth(c->mounts[at - 1].target) > depth(e->target); at--)
                ;
        memmove(&c->mounts[at + 1], &c->mounts[at], (c->n_mounts - at) * sizeof *c->mounts);
        c->mounts[at] = *e;
        c->n_mounts++;
        *e = (struct mount_entry){0};
}

void mounts_clear_kind(struct config *c, enum mount_kind kind)
{
        size_t o = 0;
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (c->mounts[i].kind == kind)
                        mount_entry_done(&c->mounts[i]);
                else
                        c->mounts[o++] = c->mounts[i];
        }
        c->n_mounts = o;
}

const char *mount_danger(const struct mount_entry *e, const char *home, const char *runtime_dir)
{
        if (e->kind == MOUNT_DEV_BIND)
                return "gives the sandbox a host device";
        if (e->kind != MOUNT_BIND && e->kind != MOUNT_RO_BIND)
                return NULL;
        if (streq(e->source, "/"))
                return "exposes the host's whole file system";
        if (path_is_below(e->source, "/dev"))
                return "exposes host devices";
        if (runtime_dir && *runtime_dir && path_is_below(runtime_dir, e->source))
                return "exposes your whole session runtime directory (D-Bus, Wayland, "
                       "ssh-agent, keyring sockets); bind single sockets instead";
        if (e->kind == MOUNT_BIND && home && *home && !streq(home, "/") &&
            path_is_below(home, e->source))
                return "lets the sandbox write to your whole home directory; use ro_bind, or "
                       "bind a subdirectory";
        return NULL;
}
