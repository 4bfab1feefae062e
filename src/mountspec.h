/* The [filesystem] mount keys of a profile (bind, ro_bind, dev_bind, tmpfs, symlink, dir):
 * parsing and checking their values, keeping the config's list in mount order, and writing
 * them back. Runs on the host while the config is built (it stats the bind sources). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* The profile key of a kind ("ro_bind"). */
const char *mount_kind_key(enum mount_kind k);

/* Parses the value of a key of that kind into e (which the caller frees with
 * mount_entry_done): bind, ro_bind, dev_bind: SRC[:DST]; tmpfs: DST[:size=SIZE,mode=MODE];
 * symlink: TARGET:PATH; dir: PATH[:MODE]. Returns 0 or -EINVAL with err set. */
int mount_parse(enum mount_kind kind, const char *value, struct mount_entry *e, char *err,
                size_t errsize);
/* The value mount_parse reads back into the same entry. */
void mount_format_value(const struct mount_entry *e, FILE *f);
void mount_entry_done(struct mount_entry *e);

/* Adds e to c (taking its strings): a later mount on the same target replaces the earlier
 * one, and the list stays sorted by the depth of the targets, so a mount never hides one
 * made on a path below it whatever the order they were written in. */
void mounts_add(struct config *c, struct mount_entry *e);
/* Removes every mount of that kind (the empty assignment "bind ="). */
void mounts_clear_kind(struct config *c, enum mount_kind kind);

/* "/a//b/./c/" → "/a/b/c"; -EINVAL when not absolute or when it has a ".." component. */
int path_normalize(const char *in, char **ret);
/* Why a valid mount is dangerous (a writable home, the session's runtime dir, the host's
 * root, a device), or NULL. home and runtime_dir may be NULL. */
const char *mount_danger(const struct mount_entry *e, const char *home, const char *runtime_dir);
