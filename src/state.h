/* Where running sandboxes are recorded, per user and without a daemon: one record per sandbox,
 * <id>.state, held under an exclusive flock by its launcher for as long as it lives (a record
 * nobody holds is stale: its launcher is gone), next to the launcher's control socket <id>.sock.
 * The directory is $XDG_RUNTIME_DIR/sandbox when that directory is yours, or else the cache's
 * state/; 0700, yours.
 * Runs on the host, as the invoking user. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

struct state_dir {
        int fd;
        char *path;
};

/* Opens the state directory, creating it when `create` (the launcher); a reader finding none
 * gets -ENOENT (no sandbox ever ran). Refuses a directory that is not the user's own. Logs. */
int state_dir_open(struct state_dir *ret, bool create);
void state_dir_close(struct state_dir *d);

/* The launcher's side. Publishes r as <id>.state, already locked (O_TMPFILE, flock, linkat),
 * unless another live sandbox has r->name: then -EEXIST with its id in ret_other (under the
 * directory's lock, so two launches cannot both take a name). Returns the lock fd. */
int state_publish(const struct state_dir *d, const struct state_record *r, char ret_other[17]);
/* Whether a live sandbox is named `name` (its id in ret_id): the launcher's early check. */
bool state_name_taken(const struct state_dir *d, const char *name, char ret_id[17]);
/* Removes <id>.sock and <id>.state (in that order: a record never outlives its socket's
 * removal, so a socket without a record is stale). */
void state_unpublish(const struct state_dir *d, const char *id);
/* Removes the records (and sockets) of launchers that are gone. */
void state_sweep(const struct state_dir *d);

/* Readers. The live records, oldest first; stale ones are removed on the way. */
int state_load_all(const struct state_dir *d, struct state_record **ret, size_t *ret_n);
void state_records_free(struct state_record *v, size_t n);
/* A live sandbox by id, name or unique id prefix. -ENOENT, or -ENOTUNIQ for an ambiguous
 * prefix. Logs nothing. */
int state_resolve(const struct state_dir *d, const char *ref, struct state_record *ret);
/* The socket path of a record, relative to the directory. */
void state_socket_name(const char *id, char buf[32]);
