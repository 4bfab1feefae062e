/* Re-executes the launcher from a sealed in-memory copy of itself, so that a process joining a
 * sandbox does not run the launcher's file: a command inside that reached /proc/PID/exe of such
 * a process (or execs a "#!/proc/self/exe" script, which the kernel resolves to the launcher)
 * would otherwise hold the host's binary and could overwrite it when the user owns it, the
 * runc bug CVE-2019-5736. The copy is sealed against writes, so reaching it changes nothing.
 * Runs on the host, first thing in `sandbox enter`. */
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

static const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

int selfexe_sealed(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int s = fcntl(fd, F_GET_SEALS);
        return s >= 0 && (s & seals) == seals;
}

int selfexe_reexec_sealed(char **argv)
{
        _cleanup_close_ int exe = -1, mem = -1;
        struct stat st;
        off_t off = 0;
        int r = selfexe_sealed();

        if (r != 0)
                return r < 0 ? r : 0;
        exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (exe < 0 || fstat(exe, &st) < 0)
                return -errno;
        /* MFD_EXEC says so explicitly where vm.memfd_noexec would refuse it (Linux 6.3). */
        mem = memfd_create("sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (mem < 0 && errno == EINVAL)
                mem = memfd_create("sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mem < 0)
                return -errno;
        while (off < st.st_size) {
                ssize_t n = sendfile(mem, exe, &off, (size_t)(st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
        }
        if (fcntl(mem, F_ADD_SEALS, seals) < 0)
                return -errno;
        /* Close-on-exec is fine for an ELF file: the kernel holds it before it closes fds. */
        syscall(SYS_execveat, mem, "", argv, environ, AT_EMPTY_PATH);
        return -errno;
}
