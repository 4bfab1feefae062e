/* A small JSON writer for the machine-readable outputs: ps --json, inspect, --status-json, the
 * JSON-lines trace. Pure: it only formats (commas and escapes are its business). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json {
        char *buf;
        size_t len, cap;
        bool comma; /* a value was written at this level: the next one needs a comma */
};

void json_init(struct json *j);
void json_free(struct json *j);
/* The text so far (NUL-terminated, never NULL once json_init ran). */
const char *json_text(const struct json *j);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
/* The name of the next member of an object. */
void json_key(struct json *j, const char *key);

/* Values. A NULL string is written as null. Bytes that are not valid UTF-8 become U+FFFD. */
void json_string(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* The body of a JSON string for `in` (no quotes) into out, NUL-terminated, cut at a character
 * boundary when it does not fit; returns its length. For fixed buffers (the trace). */
size_t json_escape_buf(char *out, size_t size, const char *in);

/* key: value shorthands. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, bool v);
