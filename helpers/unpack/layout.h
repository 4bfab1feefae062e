/* Layered images: which config and which layers an OCI image layout or a docker-save archive
 * holds for the image asked for, every JSON file verified against its digest. Pure logic over
 * the files of the layout; runs in the unpacker (root in the sandbox's user namespace). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The JSON files of a layout are small; anything bigger is not one. */
#define LAYOUT_JSON_MAX (4U << 20)
/* overlayfs stacks at most 500 layers and the mount options fit in a page; docker builds at
 * most 127. */
#define LAYOUT_MAX_LAYERS 128

/* One member of an archive holding a layout (docker save, or an OCI layout in a tar): its
 * sanitized name, and what the first pass kept of it. */
struct layout_member {
        char *name;
        char *alias;  /* a symlink or hard link: the member it stands for (sanitized), or NULL */
        int64_t size; /* bytes of a regular member */
        char *data;   /* the contents of a small regular member, or NULL */
        size_t len;
};

/* Where the files of a layout come from: a directory, or an archive's members. */
struct layout_src {
        int dirfd; /* a directory layout; -1 for an archive */
        struct layout_member *members;
        size_t n_members, cap_members;
        size_t data_bytes; /* kept in memory so far */
};

struct layout_layer {
        char *path;    /* of the blob: a member name, or a path in the directory */
        char blob[65]; /* sha256 of the blob as stored, hex; "" when the layout does not say */
        char diff[65]; /* sha256 of the uncompressed tar (the config's rootfs.diff_ids) */
        int64_t size;  /* the blob's size as the layout says, or -1 */
};

struct layout_plan {
        const char *format; /* "OCI" or "docker" */
        char *name;         /* the image as selected: its name, or its digest */
        char config_hex[65];
        char *config; /* the config JSON, verified */
        size_t config_len;
        struct layout_layer *layers; /* lowest first */
        size_t n_layers;
};

/* Whether the first member name of an archive says that it is a layout rather than a root file
 * system: manifest.json, index.json, oci-layout, repositories, blobs/, <64 hex>.json or
 * <64 hex>/. */
bool layout_member_is_layout(const char *name);

/* An archive's member, added in the first pass; data (malloc'd, may be NULL) is taken over. */
int layout_src_add(struct layout_src *s, const char *name, const char *alias, int64_t size,
                   char *data, size_t len);
void layout_src_free(struct layout_src *s);
/* The canonical member name behind name (following aliases), or NULL if there is none. */
const struct layout_member *layout_src_find(const struct layout_src *s, const char *name);
/* Whether the layout has a file at path. */
bool layout_src_has(const struct layout_src *s, const char *path);
/* A small file of the layout (JSON, LAYOUT_JSON_MAX at most), whole and NUL-terminated; logs
 * why it cannot, naming image. */
int layout_src_read(const struct layout_src *s, const char *image, const char *path, char **ret,
                    size_t *ret_len);

/* Picks the image: ref is NULL (the archive must hold one image), a name ("alpine:3.20",
 * "docker.io/library/alpine", a bare OCI ref name "3.20") or a digest ("sha256:HEX", of a
 * manifest or of a config). Logs why it fails, naming image. */
int layout_plan_build(const struct layout_src *s, const char *image, const char *ref,
                      struct layout_plan *ret);
void layout_plan_free(struct layout_plan *p);

/* The config's Entrypoint, Cmd, Env, WorkingDir and User in the launcher's format: one
 * "KEY VALUE" line per item, the value escaped (\\, \n, \t, \xNN), arrays as repeated keys. */
int layout_config_text(const struct layout_plan *p, const char *image, char **ret);

/* The architecture this machine runs, as OCI names it (amd64, arm64...). */
const char *layout_machine_arch(void);
