/* Landlock rulesets for the helpers that confine themselves (sandbox-unpack, sandbox-slirp):
 * one ruleset that handles every right the running kernel knows. Runs in the helpers. */
#pragma once

#include <stdint.h>

/* Access rights, as the kernel's ABI numbers them: older headers lack the newer ones. */
#define LL_FS_EXECUTE      (1ULL << 0)
#define LL_FS_READ_FILE    (1ULL << 2)
#define LL_FS_READ_DIR     (1ULL << 3)
#define LL_FS_MAKE_SOCK    (1ULL << 9)
#define LL_FS_MAKE_BLOCK   (1ULL << 11)
#define LL_FS_IOCTL_DEV    (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP    (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)  /* ABI 4 */

/* The kernel's Landlock ABI version, 0 when it has none (or it is disabled). */
int landlock_abi(void);

/* A new ruleset for ABI abi (>= 1): it handles every file access that ABI knows (returned in
 * *ret_handled_fs when not NULL), from ABI 4 the network rights in handled_net, and from ABI 6
 * it scopes abstract unix sockets and signals to the domain. Returns its fd (close-on-exec), or
 * -errno. */
int landlock_ruleset_new(int abi, uint64_t handled_net, uint64_t *ret_handled_fs);

/* Allows access beneath fd (a directory), or to fd itself (a file). Returns 0 or -errno. */
int landlock_allow(int ruleset, int fd, uint64_t access);

/* Enters the ruleset's domain (needs no_new_privs or CAP_SYS_ADMIN). Returns 0 or -errno. */
int landlock_enforce(int ruleset);
