/* The sandbox's user namespace id maps: the invoking user becomes root inside, and its
 * subordinate range (from /etc/subuid and /etc/subgid) becomes ids 1..N, written by the
 * system's setuid newuidmap/newgidmap. Without a range: a single-id map the user may write.
 * Runs on the host, as the invoking user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "idmap.h"

struct userns_plan {
        struct id_map uid, gid;
        char *newuidmap, *newgidmap; /* NULL: single-id map, written directly */
        char fingerprint[64];        /* of both maps, for the image cache */
        char *why_single;            /* NULL, or the one-line reason for a single-id map */
};

int userns_plan_build(struct userns_plan *ret);
void userns_plan_free(struct userns_plan *p);

/* After clone(CLONE_NEWUSER) failed with err: prints which system knob forbids unprivileged
 * user namespaces, and the fix. Returns -err. */
int userns_explain_denied(int err);

/* Writes the maps of process pid (just cloned into its new user namespace). */
int userns_write_maps(const struct userns_plan *p, pid_t pid);
