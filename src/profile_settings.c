/* Setters and show functions of the profile settings: [namespaces], [filesystem] mounts,
 * [environment], [capabilities], [seccomp] ([rlimits]: rlimit_settings.c). Lists follow one
 * rule everywhere: a repeated key adds to the list, an empty value clears it. Runs on the host
 * while the config is built; pure apart from stat(2) of bind sources. */
#include "profile_settings.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "config.h"
#include "env.h"
#include "macro.h"
#include "mountspec.h"
#include "schema.h"
#include "seccomp_rules.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

static void show_bool(FILE *f, const char *key, bool v)
{
        fprintf(f, "%s = %s\n", key, v ? "yes" : "no");
}

/* Calls fn for each word of v (separated by commas and white space); stops at an error. */
static int for_each_word(const char *v, int (*fn)(struct config *, const char *, char *, size_t),
                         struct config *c, char *err, size_t errsize)
{
        _cleanup_free_ char *copy = xstrdup(v);
        char *save = NULL;
        int r;

        for (char *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save))
                if ((r = fn(c, w, err, errsize)) < 0)
                        return r;
        return 0;
}

/* "key = a, b, c" lines for the words of a list, wrapped well below inih's line limit (a
 * repeated key adds to the list). */
static void show_words(FILE *f, const char *key, const char *const *words, size_t n)
{
        size_t col = 0;
        for (size_t i = 0; i < n; i++) {
                if (col && col + strlen(words[i]) > 90) {
                        fputc('\n', f);
                        col = 0;
                }
                col += col ? (size_t)fprintf(f, ", %s", words[i])
                           : (size_t)fprintf(f, "%s = %s", key, words[i]);
        }
        if (col)
                fputc('\n', f);
}

static void show_list(FILE *f, const char *key, char *const *list)
{
        fprintf(f, "%s =\n", key);
        show_words(f, key, (const char *const *)list, strv_length(list));
}

/* --- [namespaces] ---------------------------------------------------------------------------- */

int apply_ns_ipc(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->ns.ipc, v, err, errsize);
}

int apply_ns_uts(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->ns.uts, v, err, errsize);
}

int apply_ns_cgroup(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->ns.cgroup, v, err, errsize);
}

void show_ns(const struct config *c, const struct setting *s, FILE *f)
{
        bool v = streq(s->key, "ipc") ? c->ns.ipc : streq(s->key, "uts") ? c->ns.uts : c->ns.cgroup;
        show_bool(f, s->key, v);
}

/* --- [filesystem] mounts ------------------------------------------------------------------- */

static int apply_mount(struct config *c, enum mount_kind kind, const char *v, char *err,
                       size_t errsize)
{
        struct mount_entry e;
        int r;

        if (!*v) {
                mounts_clear_kind(c, kind);
                return 0;
        }
        r = mount_parse(kind, v, &e, err, errsize);
        if (r < 0)
                return r;
        mounts_add(c, &e);
        return 0;
}

int apply_bind(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_BIND, v, err, errsize);
}

int apply_ro_bind(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_RO_BIND, v, err, errsize);
}

int apply_dev_bind(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_DEV_BIND, v, err, errsize);
}

int apply_tmpfs(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_TMPFS, v, err, errsize);
}

int apply_symlink(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_SYMLINK, v, err, errsize);
}

int apply_dir(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_mount(c, MOUNT_DIR, v, err, errsize);
}

void show_mounts(const struct config *c, const struct setting *s, FILE *f)
{
        fprintf(f, "%s =\n", s->key);
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (!streq(mount_kind_key(c->mounts[i].kind), s->key))
                        continue;
                fprintf(f, "%s = ", s->key);
                mount_format_value(&c->mounts[i], f);
                fputc('\n', f);
        }
}

/* --- [environment] ---------------------------------------------------------------------------- */

static bool env_name_valid(const char *n, bool pattern)
{
        size_t len = strlen(n);
        if (pattern && len > 1 && n[len - 1] == '*')
                len--;
        if (len == 0 || isdigit((unsigned char)n[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)n[i]) && n[i] != '_')
                        return false;
        return true;
}

int apply_env_set(struct config *c, const char *v, char *err, size_t errsize)
{
        _cleanup_free_ char *name = NULL;

        if (!*v) {
                strv_free(c->env);
                c->env = NULL;
                return 0;
        }
        if (!env_assignment_valid(v))
                return ERR("'%s' is not NAME=VALUE", v);
        name = strndup(v, strcspn(v, "="));
        if (!name)
                abort();
        /* One entry per name, and a set after an unset wins. */
        env_remove(c->env, name);
        strv_remove(c->env_unset, name);
        strv_push_dup(&c->env, v);
        return 0;
}

static int add_keep(struct config *c, const char *w, char *err, size_t errsize)
{
        if (!env_name_valid(w, true))
                return ERR("'%s' is not a variable name (or a PREFIX* pattern)", w);
        if (!strv_contains(c->env_keep, w))
                strv_push_dup(&c->env_keep, w);
        return 0;
}

int apply_env_keep(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!*v) {
                strv_free(c->env_keep);
                c->env_keep = NULL;
                return 0;
        }
        return for_each_word(v, add_keep, c, err, errsize);
}

static int add_unset(struct config *c, const char *w, char *err, size_t errsize)
{
        if (!env_name_valid(w, false))
                return ERR("'%s' is not a variable name", w);
        env_remove(c->env, w);
        if (!strv_contains(c->env_unset, w))
                strv_push_dup(&c->env_unset, w);
        return 0;
}

int apply_env_unset(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!*v) {
                strv_free(c->env_unset);
                c->env_unset = NULL;
                return 0;
        }
        return for_each_word(v, add_unset, c, err, errsize);
}

int apply_env_clear(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->env_clear, v, err, errsize);
}

void show_env(const struct config *c, const struct setting *s, FILE *f)
{
        if (streq(s->key, "clear")) {
                show_bool(f, s->key, c->env_clear);
        } else if (streq(s->key, "keep")) {
                show_list(f, s->key, c->env_keep);
        } else if (streq(s->key, "unset")) {
                show_list(f, s->key, c->env_unset);
        } else {
                fprintf(f, "%s =\n", s->key);
                for (size_t i = 0; c->env && c->env[i]; i++) {
                        fprintf(f, "%s = ", s->key);
                        setting_write_text(f, c->env[i]);
                        fputc('\n', f);
                }
        }
}

/* --- [capabilities] ------------------------------------------------------------------------- */

/* "NET_BIND_SERVICE" for a capability number: libcap's name, upper case, without "cap_". */
static const char *cap_text(unsigned n, char buf[32])
{
        char *name = cap_to_name((cap_value_t)n);
        const char *p = name ? name : "?";
        size_t i = 0;

        if (startswith(p, "cap_"))
                p += 4;
        for (; *p && i + 1 < 32; p++)
                buf[i++] = (char)toupper((unsigned char)*p);
        buf[i] = 0;
        cap_free(name);
        return buf;
}

static unsigned caps_known(void)
{
        int n = cap_max_bits();
        return n > 0 && n <= 64 ? (unsigned)n : CAP_LAST_CAP + 1;
}

static uint64_t caps_all(void)
{
        unsigned n = caps_known();
        return n >= 64 ? UINT64_MAX : (1ULL << n) - 1;
}

static int cap_parse_one(const char *w, cap_value_t *ret, char *err, size_t errsize)
{
        char name[64], best[32] = "";
        unsigned best_d = 3;
        size_t n = 0;

        if (!startswith(w, "cap_") && !startswith(w, "CAP_"))
                n = (size_t)snprintf(name, sizeof name, "cap_");
        for (; *w && n + 1 < sizeof name; w++)
                name[n++] = (char)tolower((unsigned char)*w);
        name[n] = 0;
        if (cap_from_name(name, ret) == 0 && *ret >= 0 && (unsigned)*ret < 64)
                return 0;
        for (unsigned i = 0; i <= CAP_LAST_CAP; i++) {
                char *known = cap_to_name((cap_value_t)i);
                if (known && str_distance(name, known) < best_d) {
                        best_d = str_distance(name, known);
                        cap_text(i, best);
                } else if (known && !*best && startswith(known, name)) {
                        cap_text(i, best); /* "net_bind" for NET_BIND_SERVICE */
                }
                cap_free(known);
        }
        if (*best)
                return ERR("unknown capability '%s' (did you mean %s?)", name + 4, best);
        return ERR("unknown capability '%s' (see capabilities(7); e.g. NET_BIND_SERVICE)",
                   name + 4);
}

int caps_parse_list(const char *v, uint64_t *ret, char *err, size_t errsize)
{
        _cleanup_free_ char *copy = xstrdup(v);
        char *save = NULL;
        uint64_t set = 0;

        for (char *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
                cap_value_t cap;
                if (strcasecmp(w, "all") == 0) {
                        set |= caps_all();
                        continue;
                }
                if (cap_parse_one(w, &cap, err, errsize) < 0)
                        return -EINVAL;
                set |= 1ULL << cap;
        }
        *ret = set;
        return 0;
}

void caps_format_list(uint64_t caps, const char *key, FILE *f)
{
        char names[64][32];
        const char *words[64];
        size_t n = 0;
        for (unsigned i = 0; i < 64; i++)
                if (caps & (1ULL << i)) {
                        words[n] = cap_text(i, names[n]);
                        n++;
                }
        show_words(f, key, words, n);
}

int apply_cap_keep(struct config *c, const char *v, char *err, size_t errsize)
{
        uint64_t set;
        if (!*v) {
                c->caps_keep = 0;
                return 0;
        }
        if (caps_parse_list(v, &set, err, errsize) < 0)
                return -EINVAL;
        c->caps_keep |= set;
        return 0;
}

int apply_cap_drop(struct config *c, const char *v, char *err, size_t errsize)
{
        uint64_t set;
        if (caps_parse_list(v, &set, err, errsize) < 0)
                return -EINVAL;
        c->caps_keep &= ~set;
        return 0;
}

int apply_cap_ambient(struct config *c, const char *v, char *err, size_t errsize)
{
        uint64_t set;
        if (!*v) {
                c->caps_ambient = 0;
                return 0;
        }
        if (caps_parse_list(v, &set, err, errsize) < 0)
                return -EINVAL;
        c->caps_ambient |= set;
        return 0;
}

void show_caps(const struct config *c, const struct setting *s, FILE *f)
{
        uint64_t set = streq(s->key, "keep") ? c->caps_keep : c->caps_ambient;
        if (streq(s->key, "drop"))
                return;
        fprintf(f, "%s =\n", s->key);
        caps_format_list(set, s->key, f);
        /* drop is an operation on keep: nothing of its own to show. */
}

/* --- [seccomp] ---------------------------------------------------------------------------------
 */

int apply_seccomp_enabled(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->seccomp.enabled, v, err, errsize);
}

int apply_seccomp_default(struct config *c, const char *v, char *err, size_t errsize)
{
        if (streq(v, "allow"))
                c->seccomp.default_deny = false;
        else if (streq(v, "deny"))
                c->seccomp.default_deny = true;
        else
                return ERR("'%s' is not allow (a deny list) or deny (an allow list)", v);
        return 0;
}

int apply_seccomp_errno(struct config *c, const char *v, char *err, size_t errsize)
{
        if (errno_parse(v, &c->seccomp.errno_value) < 0)
                return ERR("'%s' is not an errno (a name such as EPERM, or 1 to 4095)", v);
        return 0;
}

int apply_seccomp_log(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->seccomp.log, v, err, errsize);
}

static int add_allow(struct config *c, const char *w, char *err, size_t errsize)
{
        if (seccomp_syscall_check(w, err, errsize) < 0)
                return -EINVAL;
        strv_remove(c->seccomp.deny, w);
        if (!strv_contains(c->seccomp.allow, w))
                strv_push_dup(&c->seccomp.allow, w);
        return 0;
}

static int add_deny(struct config *c, const char *w, char *err, size_t errsize)
{
        if (seccomp_syscall_check(w, err, errsize) < 0)
                return -EINVAL;
        strv_remove(c->seccomp.allow, w);
        if (!strv_contains(c->seccomp.deny, w))
                strv_push_dup(&c->seccomp.deny, w);
        return 0;
}

int apply_seccomp_allow(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!*v) {
                strv_free(c->seccomp.allow);
                c->seccomp.allow = NULL;
                return 0;
        }
        return for_each_word(v, add_allow, c, err, errsize);
}

int apply_seccomp_deny(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!*v) {
                strv_free(c->seccomp.deny);
                c->seccomp.deny = NULL;
                return 0;
        }
        return for_each_word(v, add_deny, c, err, errsize);
}

int apply_seccomp_rule(struct config *c, const char *v, char *err, size_t errsize)
{
        struct seccomp_rule rule, *nr;

        if (!*v) {
                for (size_t i = 0; i < c->seccomp.n_rules; i++)
                        seccomp_rule_done(&c->seccomp.rules[i]);
                free(c->seccomp.rules);
                c->seccomp.rules = NULL;
                c->seccomp.n_rules = 0;
                return 0;
        }
        if (c->seccomp.n_rules >= 256)
                return ERR("more than 256 rules");
        if (seccomp_rule_parse(v, &rule, err, errsize) < 0)
                return -EINVAL;
        nr = realloc(c->seccomp.rules, (c->seccomp.n_rules + 1) * sizeof *nr);
        if (!nr)
                abort();
        c->seccomp.rules = nr;
        c->seccomp.rules[c->seccomp.n_rules++] = rule;
        return 0;
}

void show_seccomp(const struct config *c, const struct setting *s, FILE *f)
{
        const struct seccomp_settings *sc = &c->seccomp;
        char buf[16];

        if (streq(s->key, "enabled")) {
                show_bool(f, s->key, sc->enabled);
        } else if (streq(s->key, "default")) {
                fprintf(f, "default = %s\n", sc->default_deny ? "deny" : "allow");
        } else if (streq(s->key, "errno")) {
                fprintf(f, "errno = %s\n", errno_to_name(sc->errno_value, buf));
        } else if (streq(s->key, "log")) {
                show_bool(f, s->key, sc->log);
        } else if (streq(s->key, "allow")) {
                show_list(f, s->key, sc->allow);
        } else if (streq(s->key, "deny")) {
                show_list(f, s->key, sc->deny);
        } else if (streq(s->key, "rule")) {
                fputs("rule =\n", f);
                for (size_t i = 0; i < sc->n_rules; i++) {
                        fputs("rule = ", f);
                        seccomp_rule_format(&sc->rules[i], f);
                        fputc('\n', f);
                }
        }
}
