/* The unpacked tree's path rules: member names made relative, and fd-relative operations that
 * never leave the tree. Runs as root in the sandbox's user namespace, before any mount. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More components than any real image has; also bounds the work a single name can cause. */
#define TREE_MAX_COMPONENTS 256

/* Normalizes an archive member name into a path relative to the tree's root: leading '/' and './'
 * go, as do empty and '.' components. out must hold PATH_MAX bytes. Returns the length (0: the
 * root itself), -EINVAL for a '..' component, -ENAMETOOLONG for a name of PATH_MAX bytes or more,
 * or with more than TREE_MAX_COMPONENTS components. */
int tree_sanitize(const char *name, char *out);

/* openat2(rootfd, path, flags | O_CLOEXEC) with the tree's root as "/": absolute symlinks and ".."
 * in the tree can only ever lead to somewhere inside it (the kernel enforces it). */
int tree_open_in_root(int rootfd, const char *path, int flags);

/* Opens (O_PATH) the directory that holds the last component of a sanitized, non-empty path,
 * resolved in root; with create, missing directories are made (0755 & ~umask), one component at a
 * time. *ret_base points at the last component inside path. */
int tree_open_parent(int rootfd, const char *path, bool create, const char **ret_base);

/* Removes name under dirfd, whatever it is, never following a symlink; a directory's contents go
 * first, its mode widened as needed (mode 000 directories exist in real images). Returns 0 when
 * name does not exist. */
int tree_remove_at(int dirfd, const char *name);
/* Removes everything inside the directory open as dirfd (not O_PATH), keeping the directory. */
int tree_remove_contents(int dirfd);

/* -ENOSPC if size more bytes do not fit on the file system holding fd. */
int tree_check_space(int fd, uint64_t size);

/* Copies a name for a one-line message: control characters and backslashes become \xNN, so a
 * hostile name can neither forge a line nor hide its bytes. Truncates with "..." to fit. */
const char *tree_quote(const char *in, char *out, size_t size);
