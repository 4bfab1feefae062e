/* Pure helpers: string vectors, number parsing, small string utilities.
 * No system calls beyond memory allocation; usable on every side and in unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* Returns the rest of s after prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* NULL-terminated string vectors. strv_push takes ownership of s; both abort on ENOMEM, as
 * there is no useful way for a launcher to go on without memory. */
size_t strv_length(char *const *v);
void strv_push(char ***v, char *s);
void strv_push_dup(char ***v, const char *s);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* Removes every entry equal to s; returns how many. */
size_t strv_remove(char **v, const char *s);
void strv_free(char **v);
static inline void strv_freep(char ***v)
{
        strv_free(*v);
}
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))

char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);

/* Strict decimal parsing: the whole string, no sign, no overflow. 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);

/* "1000" or "1000:1000" → uid and gid (gid defaults to uid). */
int parse_uid_gid(const char *s, uint32_t *ret_uid, uint32_t *ret_gid);

/* A NAME=VALUE environment assignment with a valid NAME. */
bool env_assignment_valid(const char *s);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* True when every character is in [A-Za-z0-9._-] and the string is non-empty, so it can be a
 * single file name that is not "." or "..". */
bool filename_safe(const char *s);

/* Edit distance between a and b (insertions, deletions, substitutions, and swaps of two
 * neighbours), for "did you mean" suggestions. Gives up above 8 and returns 9. */
unsigned str_distance(const char *a, const char *b);
