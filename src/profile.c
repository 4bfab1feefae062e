/* Profiles: INI files read with inih that choose a sandbox's settings through the one settings
 * table (schema.c). Finding them, includes with cycle checks, ${VARIABLE} expansion, and
 * errors with file:line and "did you mean". Runs on the host while the config is built. */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "env.h"
#include "log.h"
#include "macro.h"
#include "schema.h"
#include "sys.h"
#include "util.h"

#define MAX_DEPTH      8
#define MAX_ERRORS     20
#define MAX_FILE_BYTES (1 << 20)

const char *const profile_var_names[_PROFILE_VAR_COUNT] = {
    [PROFILE_VAR_HOME] = "HOME", [PROFILE_VAR_USER] = "USER",
    [PROFILE_VAR_UID] = "UID",   [PROFILE_VAR_XDG_RUNTIME_DIR] = "XDG_RUNTIME_DIR",
    [PROFILE_VAR_PWD] = "PWD",
};

/* --- where profiles are ------------------------------------------------------------------- */

static void add_dir(struct profile_ctx *ctx, char *path, const char *kind)
{
        if (ctx->n_dirs < PROFILE_DIRS_MAX)
                ctx->dirs[ctx->n_dirs++] = (struct profile_dir){path, kind};
        else
                free(path);
}

/* A launcher run from its build tree uses the repository's profiles (copied there by CMake),
 * so the tests need no installation; an installed one never looks there. */
static bool running_from_build_tree(void)
{
        char dir[PATH_MAX];

        return self_exe_dir(dir, sizeof dir) == 0 && streq(dir, SANDBOX_BUILD_DIR);
}

void profile_ctx_init(struct profile_ctx *ctx)
{
        const char *home = getenv("HOME"), *user = getenv("USER"),
                   *config = getenv("XDG_CONFIG_HOME");
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        char cwd[PATH_MAX];

        memset(ctx, 0, sizeof *ctx);
        /* The environment first; /etc/passwd only when it does not say. */
        ctx->vars[PROFILE_VAR_HOME] = home && *home ? xstrdup(home) : host_user_home();
        ctx->vars[PROFILE_VAR_USER] = user && *user ? xstrdup(user) : host_user_name();
        home = ctx->vars[PROFILE_VAR_HOME];
        ctx->vars[PROFILE_VAR_UID] = xasprintf("%u", (unsigned)getuid());
        ctx->vars[PROFILE_VAR_XDG_RUNTIME_DIR] = runtime && *runtime ? xstrdup(runtime) : NULL;
        ctx->vars[PROFILE_VAR_PWD] = getcwd(cwd, sizeof cwd) ? xstrdup(cwd) : NULL;

        if (config && *config == '/')
                add_dir(ctx, xasprintf("%s/sandbox/profiles", config), "user");
        else if (home && *home == '/')
                add_dir(ctx, xasprintf("%s/.config/sandbox/profiles", home), "user");
        add_dir(ctx, xstrdup("/etc/sandbox/profiles"), "system");
        if (running_from_build_tree())
                add_dir(ctx, xstrdup(SANDBOX_BUILD_DIR "/profiles"), "shipped");
        add_dir(ctx, xstrdup(SANDBOX_DATADIR "/profiles"), "shipped");
}

void profile_ctx_done(struct profile_ctx *ctx)
{
        for (size_t i = 0; i < _PROFILE_VAR_COUNT; i++)
                free(ctx->vars[i]);
        for (size_t i = 0; i < ctx->n_dirs; i++)
                free(ctx->dirs[i].path);
        memset(ctx, 0, sizeof *ctx);
}

static bool is_path(const char *name)
{
        size_t n = strlen(name);
        return strchr(name, '/') || (n > 4 && streq(name + n - 4, ".ini"));
}

/* --- loading ------------------------------------------------------------------------------ */

struct frame {
        dev_t dev;
        ino_t ino;
        const char *display;
};

/* One load of a profile and everything it includes. */
struct load {
        struct config *c;
        const struct profile_ctx *ctx;
        struct frame stack[MAX_DEPTH];
        int depth;
        int errors;
};

/* One file being read. */
struct file {
        struct load *load;
        const char *display;  /* its path, for messages */
        const char *base_dir; /* for relative includes */
        const char *text;
        size_t len, pos;
        int lineno;
        int first_handler_error; /* the first line whose handler failed (0: none) */
};

__attribute__((format(printf, 3, 4))) static int file_error(struct file *f, int line,
                                                            const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        f->load->errors++;
        if (f->load->errors > MAX_ERRORS)
                return -EINVAL;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (f->load->errors == MAX_ERRORS)
                log_error("%s:%d: %s (and no more errors shown)", f->display, line, msg);
        else
                log_error("%s:%d: %s", f->display, line, msg);
        return -EINVAL;
}

static const char *nearest_section(const char *name)
{
        const char *best = NULL;
        unsigned best_d = 3;
        for (size_t i = 0; i < settings_count; i++) {
                unsigned d;
                if (!settings[i].section)
                        continue;
                d = str_distance(name, settings[i].section);
                if (d < best_d) {
                        best_d = d;
                        best = settings[i].section;
                }
        }
        return best;
}

/* An fgets for inih over the file's text that counts lines (so the handler knows its line),
 * refuses the lines inih would cut or misread (too long, a NUL byte) instead of letting it
 * split them, and checks section names, which inih does not pass to a handler. */
static char *reader(char *str, int num, void *stream)
{
        struct file *f = stream;
        const char *line = f->text + f->pos, *nl;
        size_t len, rest = f->len - f->pos;
        const char *p;

        if (f->pos >= f->len || num < 3)
                return NULL;
        nl = memchr(line, '\n', rest);
        len = nl ? (size_t)(nl - line) : rest;
        f->pos += len + (nl ? 1 : 0);
        f->lineno++;
        if (len > (size_t)num - 2) {
                file_error(f, f->lineno, "line longer than %d characters", num - 2);
                strcpy(str, "\n");
                return str;
        }
        if (memchr(line, 0, len)) {
                file_error(f, f->lineno, "a NUL byte: not a text file");
                strcpy(str, "\n");
                return str;
        }
        memcpy(str, line, len);
        str[len] = '\n';
        str[len + 1] = 0;
        for (p = str; *p == ' ' || *p == '\t'; p++)
                ;
        if (p == str && *p == '[') {
                const char *end = strchr(p, ']');
                if (end) {
                        _cleanup_free_ char *name = strndup(p + 1, (size_t)(end - p - 1));
                        const char *near;
                        if (!name)
                                abort();
                        if (!setting_section_known(name)) {
                                near = nearest_section(name);
                                if (near)
                                        file_error(f, f->lineno,
                                                   "unknown section [%s] (did you mean [%s]?)",
                                                   name, near);
                                else
                                        file_error(f, f->lineno, "unknown section [%s]", name);
                        }
                }
        }
        return str;
}

static int unknown_key(struct file *f, const char *section, const char *key)
{
        const char *best = NULL, *elsewhere = NULL;
        unsigned best_d = 3;
        char keys[512] = "";
        size_t n = 0;

        for (size_t i = 0; i < settings_count; i++) {
                const struct setting *s = &settings[i];
                if (!s->section)
                        continue;
                if (!streq(s->section, section)) {
                        if (streq(s->key, key) && !elsewhere)
                                elsewhere = s->section;
                        continue;
                }
                if (str_distance(key, s->key) < best_d) {
                        best_d = str_distance(key, s->key);
                        best = s->key;
                }
                if (n + strlen(s->key) + 3 < sizeof keys)
                        n += (size_t)snprintf(keys + n, sizeof keys - n, "%s%s", n ? ", " : "",
                                              s->key);
        }
        if (best)
                return file_error(f, f->lineno, "unknown key '%s' in [%s] (did you mean '%s'?)",
                                  key, section, best);
        if (elsewhere)
                return file_error(f, f->lineno, "'%s' is not a key of [%s]: it belongs in [%s]",
                                  key, section, elsewhere);
        return file_error(f, f->lineno, "unknown key '%s' in [%s] (its keys: %s)", key, section,
                          keys);
}

static int load_file(struct load *l, const char *path, const char *display);

static bool on_stack(const struct load *l, const struct stat *st)
{
        for (int i = 0; i < l->depth; i++)
                if (l->stack[i].dev == st->st_dev && l->stack[i].ino == st->st_ino)
                        return true;
        return false;
}

/* The file an include names. A name skips the files being read, so that a user's web.ini can
 * build on the shipped web with "include = web"; when that leaves nothing, it is a cycle. */
static int resolve_include(struct file *f, const char *name, char **ret)
{
        const struct profile_ctx *ctx = f->load->ctx;
        struct stat st;
        bool cycle = false;

        if (is_path(name)) {
                char *p = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", f->base_dir, name);
                if (stat(p, &st) < 0) {
                        file_error(f, f->lineno, "include '%s': %s", p, strerror(errno));
                        free(p);
                        return -ENOENT;
                }
                if (on_stack(f->load, &st)) {
                        file_error(f, f->lineno, "include '%s': a cycle (it is being read)", p);
                        free(p);
                        return -ELOOP;
                }
                *ret = p;
                return 0;
        }
        if (!filename_safe(name))
                return file_error(f, f->lineno, "include '%s': not a profile name or a path", name);
        for (size_t i = 0; i < ctx->n_dirs; i++) {
                char *p = xasprintf("%s/%s.ini", ctx->dirs[i].path, name);
                if (stat(p, &st) == 0) {
                        if (!on_stack(f->load, &st)) {
                                *ret = p;
                                return 0;
                        }
                        cycle = true;
                }
                free(p);
        }
        if (cycle)
                return file_error(f, f->lineno, "include '%s': a cycle (%s is being read)", name,
                                  name);
        return file_error(f, f->lineno,
                          "include '%s': no such profile (sandbox profile list "
                          "shows them)",
                          name);
}

static int include(struct file *f, const char *value)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if (!*value)
                return file_error(f, f->lineno, "include needs a profile name or a path");
        if (f->load->depth >= MAX_DEPTH)
                return file_error(f, f->lineno, "include '%s': more than %d levels of includes",
                                  value, MAX_DEPTH);
        r = resolve_include(f, value, &path);
        if (r < 0)
                return r;
        r = load_file(f->load, path, path);
        if (r == -ENOENT || r == -EISDIR || r == -EFBIG || r == -EACCES)
                return file_error(f, f->lineno, "include '%s': cannot read %s: %s", value, path,
                                  strerror(-r));
        return r;
}

static int handle(struct file *f, const char *section, const char *key, const char *value)
{
        const struct setting *s;
        _cleanup_free_ char *expanded = NULL, *origin = NULL;
        char err[256];

        if (!*section)
                return file_error(f, f->lineno,
                                  "'%s' comes before any [section] (start with "
                                  "e.g. [sandbox])",
                                  key);
        if (!setting_section_known(section))
                return -EINVAL; /* the reader said so at the section's line */
        s = setting_by_key(section, key);
        if (!s)
                return unknown_key(f, section, key);
        if (s->meta == META_PROFILE_KEY)
                return 0;
        if (s->meta == META_PROFILE)
                return include(f, value);
        if (profile_expand(f->load->ctx, value, &expanded, err, sizeof err) < 0)
                return file_error(f, f->lineno, "[%s] %s: %s", section, key, err);
        origin = xasprintf("%s:%d: [%s] %s", f->display, f->lineno, section, key);
        if (config_apply(f->load->c, s, expanded, origin) < 0) {
                f->load->errors++;
                return -EINVAL;
        }
        return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
        struct file *f = user;
        if (handle(f, section, key, value ? value : "") == 0)
                return 1;
        if (!f->first_handler_error)
                f->first_handler_error = f->lineno;
        return 0;
}

static int parse_text(struct load *l, const char *text, size_t len, const char *display,
                      const char *base_dir)
{
        struct file f = {
            .load = l, .display = display, .base_dir = base_dir, .text = text, .len = len};
        int errors = l->errors;
        int r = ini_parse_stream(reader, &f, handler, &f);

        if (r == -2)
                return log_errno(-ENOMEM, "%s", display);
        /* inih reports the first line it failed on; one that no handler failed on is a
         * syntax error. */
        if (r > 0 && (!f.first_handler_error || r < f.first_handler_error))
                file_error(&f, r, "expected 'key = value' or '[section]'");
        return l->errors > errors ? -EINVAL : 0;
}

/* The whole text of a profile file: a regular file of at most 1 MiB. */
static int read_profile(const char *path, char **ret, size_t *ret_len, struct stat *st)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        char *text;
        ssize_t n;

        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0)
                return -errno;
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (!S_ISREG(st->st_mode) || st->st_size > MAX_FILE_BYTES)
                return -EFBIG;
        text = xcalloc((size_t)st->st_size + 1, 1);
        n = read(fd, text, (size_t)st->st_size);
        if (n < 0) {
                free(text);
                return -errno;
        }
        *ret = text;
        *ret_len = (size_t)n;
        return 0;
}

static int load_file(struct load *l, const char *path, const char *display)
{
        _cleanup_free_ char *text = NULL, *dir = NULL;
        struct stat st;
        size_t len;
        char *slash;
        int r;

        r = read_profile(path, &text, &len, &st);
        if (r < 0)
                return r;
        dir = xstrdup(path);
        slash = strrchr(dir, '/');
        if (slash && slash != dir)
                *slash = 0;
        else if (slash)
                strcpy(dir, "/");
        else
                strcpy(dir, ".");
        l->stack[l->depth++] = (struct frame){st.st_dev, st.st_ino, display};
        r = parse_text(l, text, len, display, dir);
        l->depth--;
        return r;
}

int profile_find(const struct profile_ctx *ctx, const char *name, char **ret_path,
                 const char **ret_kind)
{
        if (is_path(name)) {
                if (access(name, F_OK) < 0)
                        return -errno;
                *ret_path = xstrdup(name);
                *ret_kind = "path";
                return 0;
        }
        if (!filename_safe(name))
                return -EINVAL;
        for (size_t i = 0; i < ctx->n_dirs; i++) {
                char *p = xasprintf("%s/%s.ini", ctx->dirs[i].path, name);
                if (access(p, F_OK) == 0) {
                        *ret_path = p;
                        *ret_kind = ctx->dirs[i].kind;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

int profile_apply(struct config *c, const char *name, bool implicit, const struct profile_ctx *ctx)
{
        struct load l = {.c = c, .ctx = ctx};
        _cleanup_free_ char *path = NULL;
        const char *kind;
        int r;
        TRACE_BEGIN(t);

        r = profile_find(ctx, name, &path, &kind);
        if (r == -ENOENT && implicit)
                return r; /* the built-in defaults are the same settings */
        if (r == -ENOENT) {
                if (is_path(name))
                        return log_errno(r, "profile %s", name);
                log_error("no profile named '%s' (sandbox profile list shows them; a path needs "
                          "a '/' or the .ini suffix)",
                          name);
                return -ENOENT;
        }
        if (r < 0)
                return log_errno(r, "profile '%s'", name);
        r = load_file(&l, path, path);
        if (r == -EISDIR || r == -EFBIG || r == -EACCES || r == -ENOENT)
                return log_errno(r, "reading the profile %s", path);
        if (r < 0 && l.errors > 0)
                log_error("%s: %d error%s; nothing was run", path, l.errors,
                          l.errors == 1 ? "" : "s");
        TRACE(t, "profile", "%s (%s)", path, r < 0 ? "errors" : "applied");
        return r < 0 ? -EINVAL : 0;
}

int profile_apply_text(struct config *c, const char *text, size_t len, const char *display,
                       const char *base_dir, const struct profile_ctx *ctx)
{
        struct load l = {.c = c, .ctx = ctx};
        return parse_text(&l, text, len, display, base_dir);
}

/* --- descriptions -------------------------------------------------------------------------- */

struct describe {
        struct file f;
        char *description;
};

static int describe_handler(void *user, const char *section, const char *key, const char *value)
{
        struct describe *d = user;
        if (streq(section, "profile") && streq(key, "description") && !d->description)
                d->description = xstrdup(value);
        return 1;
}

static char *describe_reader(char *str, int num, void *stream)
{
        struct describe *d = stream;
        return reader(str, num, &d->f);
}

char *profile_description(const char *path)
{
        struct load l = {.errors = MAX_ERRORS + 1}; /* silent */
        struct describe d = {.f = {.load = &l, .display = path}};
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t len;

        if (read_profile(path, &text, &len, &st) < 0)
                return NULL;
        d.f.text = text;
        d.f.len = len;
        (void)ini_parse_stream(describe_reader, &d, describe_handler, &d);
        return d.description;
}

/* --- variables ----------------------------------------------------------------------------- */

int profile_expand(const struct profile_ctx *ctx, const char *in, char **ret, char *err,
                   size_t errsize)
{
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);

        if (!f)
                abort();
        for (const char *p = in; *p; p++) {
                const char *end;
                size_t i;
                if (p[0] != '$') {
                        fputc(*p, f);
                        continue;
                }
                if (p[1] == '$') {
                        fputc('$', f);
                        p++;
                        continue;
                }
                if (p[1] != '{') {
                        fputc('$', f);
                        continue;
                }
                end = strchr(p + 2, '}');
                for (i = 0; end && i < _PROFILE_VAR_COUNT; i++)
                        if (strlen(profile_var_names[i]) == (size_t)(end - p - 2) &&
                            strncmp(p + 2, profile_var_names[i], (size_t)(end - p - 2)) == 0)
                                break;
                if (!end || i == _PROFILE_VAR_COUNT) {
                        fclose(f);
                        free(out);
                        return setting_error(err, errsize,
                                             "unknown variable in '%s' (known: ${HOME} ${USER} "
                                             "${UID} ${XDG_RUNTIME_DIR} ${PWD}; $$ is a '$')",
                                             in);
                }
                if (!ctx->vars[i]) {
                        fclose(f);
                        free(out);
                        return setting_error(err, errsize, "${%s} is not set",
                                             profile_var_names[i]);
                }
                fputs(ctx->vars[i], f);
                p = end;
        }
        if (fclose(f) != 0)
                abort();
        *ret = out;
        return 0;
}
