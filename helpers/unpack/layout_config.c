/* Layered images: the image's config (Entrypoint, Cmd, Env, WorkingDir, User) written for the
 * launcher in a line format it parses without a JSON library. Runs in the unpacker (root in the
 * sandbox's user namespace). */
#include "layout.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"

/* key's value in o when it has type t, else NULL (o may be NULL). */
static json_object *jget(json_object *o, const char *key, json_type t)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
                return NULL;
        return v;
}

static void json_putp(json_object **j)
{
        if (*j)
                json_object_put(*j);
}

/* The config was checked against its digest and parsed once already: it is an object. */
static json_object *parse_config(const struct layout_plan *p, const char *image)
{
        json_tokener *tok = json_tokener_new();
        json_object *j = tok ? json_tokener_parse_ex(tok, p->config, (int)p->config_len) : NULL;

        if (tok)
                json_tokener_free(tok);
        if (j && json_object_is_type(j, json_type_object))
                return j;
        if (j)
                json_object_put(j);
        log_error("%s: its config is not a JSON object; the image is damaged", image);
        return NULL;
}

struct text {
        char *buf;
        size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n)
{
        if (t->len + n + 1 > t->cap) {
                size_t cap = (t->len + n + 1) * 2;
                char *b = realloc(t->buf, cap);
                if (!b)
                        return -ENOMEM;
                t->buf = b;
                t->cap = cap;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = 0;
        return 0;
}

static int text_line(struct text *t, const char *key, json_object *v, const char *image)
{
        const char *s = json_object_get_string(v);
        size_t n = (size_t)json_object_get_string_len(v);
        int r = text_add(t, key, strlen(key));

        if (memchr(s, 0, n))
                return log_error("%s: its config's %s holds a NUL byte; refusing it", image, key);
        r = r < 0 ? r : text_add(t, " ", 1);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                char esc[8];
                if (c == '\\')
                        r = text_add(t, "\\\\", 2);
                else if (c == '\n')
                        r = text_add(t, "\\n", 2);
                else if (c == '\t')
                        r = text_add(t, "\\t", 2);
                else if (c < 0x20 || c == 0x7f)
                        r = text_add(t, esc, (size_t)snprintf(esc, sizeof esc, "\\x%02x", c));
                else
                        r = text_add(t, (const char *)&s[i], 1);
        }
        r = r < 0 ? r : text_add(t, "\n", 1);
        return r < 0 ? log_errno(r, "%s", image) : 0;
}

int layout_config_text(const struct layout_plan *p, const char *image, char **ret)
{
        static const char *const arrays[][2] = {
            {"Entrypoint", "entrypoint"}, {"Cmd", "cmd"}, {"Env", "env"}};
        static const char *const strings[][2] = {{"WorkingDir", "workdir"}, {"User", "user"}};
        _cleanup_(json_putp) json_object *j = parse_config(p, image);
        json_object *c = jget(j, "config", json_type_object);
        struct text t = {0};
        int r = j ? text_add(&t, "# sandbox image config 1\n", 25) : -EINVAL;

        for (size_t i = 0; r >= 0 && c && i < ARRAY_SIZE(arrays); i++) {
                json_object *a = jget(c, arrays[i][0], json_type_array);
                for (size_t k = 0; r >= 0 && a && k < json_object_array_length(a); k++) {
                        json_object *v = json_object_array_get_idx(a, k);
                        if (!json_object_is_type(v, json_type_string))
                                r = log_error("%s: its config's %s holds a non-string; the image "
                                              "is damaged",
                                              image, arrays[i][0]);
                        else
                                r = text_line(&t, arrays[i][1], v, image);
                }
        }
        for (size_t i = 0; r >= 0 && c && i < ARRAY_SIZE(strings); i++) {
                json_object *v = jget(c, strings[i][0], json_type_string);
                if (v && json_object_get_string_len(v) > 0)
                        r = text_line(&t, strings[i][1], v, image);
        }
        if (r < 0) {
                free(t.buf);
                return r == -ENOMEM ? log_errno(r, "%s", image) : r;
        }
        *ret = t.buf;
        return 0;
}
