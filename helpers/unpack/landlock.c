/* Confines the unpacker before it parses a byte of the image: no new privileges, and Landlock.
 * Runs as root in the sandbox's user namespace, before any mount. */
#include "landlock.h"

#include <errno.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"

/* Why bother: libarchive's parsers and decompressors have a long CVE history, and this process
 * is root in the user namespace with the user's whole file system in view. Once confined, a
 * compromised parser can touch nothing but the cache and cannot exec anything. */

/* Beneath the cache: everything but exec, block devices and sockets. Character devices stay
 * allowed for the overlayfs whiteouts of layers (0/0, which any user may make); a real device
 * needs CAP_MKNOD in the initial namespace, which the unpacker never has. */
#define LL_CACHE_DENY (LL_FS_EXECUTE | LL_FS_MAKE_SOCK | LL_FS_MAKE_BLOCK | LL_FS_IOCTL_DEV)

int confine_self(int cache_fd, int image_fd)
{
        _cleanup_close_ int ruleset = -1;
        uint64_t handled_fs;
        struct stat st;
        int abi, r;

        /* Needed for landlock_restrict_self() without CAP_SYS_ADMIN, and right anyway: nothing
         * this process runs may gain privileges. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_errno(-errno, "cannot set no_new_privs");
        abi = landlock_abi();
        if (abi < 1)
                return 0; /* no Landlock in this kernel: no_new_privs is all we get */
        ruleset = landlock_ruleset_new(abi, LL_NET_BIND_TCP | LL_NET_CONNECT_TCP, &handled_fs);
        if (ruleset < 0)
                return log_errno(ruleset, "cannot confine the unpacker (landlock ABI %d)", abi);
        r = landlock_allow(ruleset, cache_fd, handled_fs & ~LL_CACHE_DENY);
        /* An image directory (an OCI layout) is read beneath; a file just read. */
        if (r >= 0 && fstat(image_fd, &st) < 0)
                r = -errno;
        if (r >= 0)
                r = landlock_allow(ruleset, image_fd,
                                   S_ISDIR(st.st_mode) ? LL_FS_READ_FILE | LL_FS_READ_DIR
                                                       : LL_FS_READ_FILE);
        if (r >= 0)
                r = landlock_enforce(ruleset);
        if (r < 0)
                return log_errno(r, "cannot confine the unpacker (landlock ABI %d)", abi);
        return 0;
}
