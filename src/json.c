/* A small JSON writer for the machine-readable outputs: ps --json, inspect, --status-json, the
 * JSON-lines trace. Pure: it only formats (commas and escapes are its business). */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct json *j, const char *s, size_t n)
{
        if (j->len + n + 1 > j->cap) {
                size_t cap = j->cap ? j->cap : 256;
                while (j->len + n + 1 > cap)
                        cap *= 2;
                char *nb = realloc(j->buf, cap);
                if (!nb)
                        abort();
                j->buf = nb;
                j->cap = cap;
        }
        memcpy(j->buf + j->len, s, n);
        j->len += n;
        j->buf[j->len] = 0;
}

static void puts_(struct json *j, const char *s)
{
        put(j, s, strlen(s));
}

void json_init(struct json *j)
{
        *j = (struct json){0};
        put(j, "", 0);
}

void json_free(struct json *j)
{
        free(j->buf);
        *j = (struct json){0};
}

const char *json_text(const struct json *j)
{
        return j->buf;
}

/* Before any value: a comma when a sibling came before it. */
static void value_start(struct json *j)
{
        if (j->comma)
                put(j, ",", 1);
        j->comma = true;
}

void json_begin_object(struct json *j)
{
        value_start(j);
        put(j, "{", 1);
        j->comma = false;
}

void json_end_object(struct json *j)
{
        put(j, "}", 1);
        j->comma = true;
}

void json_begin_array(struct json *j)
{
        value_start(j);
        put(j, "[", 1);
        j->comma = false;
}

void json_end_array(struct json *j)
{
        put(j, "]", 1);
        j->comma = true;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_valid(const unsigned char *s)
{
        size_t n;
        uint32_t cp;
        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past Unicode are not UTF-8. */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return n;
}

size_t json_escape_buf(char *out, size_t size, const char *in)
{
        const unsigned char *p = (const unsigned char *)in;
        size_t o = 0;

        while (*p) {
                char tmp[8];
                size_t n, len;
                const char *src = tmp;
                if (*p == '"' || *p == '\\') {
                        tmp[0] = '\\';
                        tmp[1] = (char)*p;
                        len = 2, n = 1;
                } else if (*p < 0x20 || *p == 0x7f) {
                        len = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p), n = 1;
                } else if ((n = utf8_valid(p)) > 0) {
                        src = (const char *)p, len = n;
                } else {
                        src = "\\ufffd", len = 6, n = 1;
                }
                if (o + len + 1 > size)
                        break; /* truncated at a character boundary */
                memcpy(out + o, src, len);
                o += len;
                p += n;
        }
        if (size)
                out[o] = 0;
        return o;
}

static void string_body(struct json *j, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        put(j, "\"", 1);
        while (*p) {
                size_t n;
                char esc[8];
                if (*p == '"' || *p == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char)*p;
                        put(j, esc, 2);
                        p++;
                } else if (*p < 0x20 || *p == 0x7f) {
                        snprintf(esc, sizeof esc, "\\u%04x", *p);
                        puts_(j, esc);
                        p++;
                } else if ((n = utf8_valid(p)) > 0) {
                        put(j, (const char *)p, n);
                        p += n;
                } else {
                        puts_(j, "\\ufffd");
                        p++;
                }
        }
        put(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
        value_start(j);
        string_body(j, key);
        put(j, ":", 1);
        j->comma = false;
}

void json_string(struct json *j, const char *s)
{
        if (!s) {
                json_null(j);
                return;
        }
        value_start(j);
        string_body(j, s);
}

void json_int(struct json *j, long long v)
{
        char buf[32];
        value_start(j);
        snprintf(buf, sizeof buf, "%lld", v);
        puts_(j, buf);
}

void json_bool(struct json *j, bool v)
{
        value_start(j);
        puts_(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
        value_start(j);
        puts_(j, "null");
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
        json_key(j, key);
        json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
        json_key(j, key);
        json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
        json_key(j, key);
        json_bool(j, v);
}
