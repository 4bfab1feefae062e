/* Why an exec failed, in words: the kernel says ENOENT both for a missing command and for a
 * missing ELF interpreter, and ENOEXEC for a binary of another architecture.
 * Runs in the workload after execve failed (privileges already dropped). */
#include "execdiag.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "util.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

const char *execdiag_machine_name(unsigned machine)
{
        switch (machine) {
        case EM_386:
                return "i386";
        case EM_X86_64:
                return "x86_64";
        case EM_AARCH64:
                return "aarch64";
        case EM_ARM:
                return "arm";
        case EM_RISCV:
                return "riscv";
        case EM_PPC64:
                return "ppc64";
        case EM_PPC:
                return "ppc";
        case EM_S390:
                return "s390x";
        case EM_MIPS:
                return "mips";
        case EM_LOONGARCH:
                return "loongarch64";
        case EM_SPARCV9:
                return "sparc64";
        default:
                return NULL;
        }
}

static unsigned host_machine(void)
{
#if defined(__x86_64__)
        return EM_X86_64;
#elif defined(__aarch64__)
        return EM_AARCH64;
#elif defined(__i386__)
        return EM_386;
#elif defined(__riscv)
        return EM_RISCV;
#elif defined(__powerpc64__)
        return EM_PPC64;
#elif defined(__s390x__)
        return EM_S390;
#else
        return EM_NONE;
#endif
}

/* The PT_INTERP of a 64- or 32-bit ELF file, little-endian like every host we run on. */
static int elf_interp(int fd, const unsigned char *ident, char *buf, size_t size)
{
        bool is64 = ident[EI_CLASS] == ELFCLASS64;
        Elf64_Ehdr eh64;
        Elf32_Ehdr eh32;
        uint64_t phoff;
        unsigned phnum, phentsize;

        if (is64) {
                if (pread(fd, &eh64, sizeof eh64, 0) != (ssize_t)sizeof eh64)
                        return -EIO;
                phoff = eh64.e_phoff, phnum = eh64.e_phnum, phentsize = eh64.e_phentsize;
        } else {
                if (pread(fd, &eh32, sizeof eh32, 0) != (ssize_t)sizeof eh32)
                        return -EIO;
                phoff = eh32.e_phoff, phnum = eh32.e_phnum, phentsize = eh32.e_phentsize;
        }
        for (unsigned i = 0; i < phnum && i < 256; i++) {
                uint64_t type, off, len;
                if (is64) {
                        Elf64_Phdr ph;
                        if (pread(fd, &ph, sizeof ph, (off_t)(phoff + i * phentsize)) !=
                            (ssize_t)sizeof ph)
                                return -EIO;
                        type = ph.p_type, off = ph.p_offset, len = ph.p_filesz;
                } else {
                        Elf32_Phdr ph;
                        if (pread(fd, &ph, sizeof ph, (off_t)(phoff + i * phentsize)) !=
                            (ssize_t)sizeof ph)
                                return -EIO;
                        type = ph.p_type, off = ph.p_offset, len = ph.p_filesz;
                }
                if (type != PT_INTERP)
                        continue;
                if (len == 0 || len >= size)
                        return -EINVAL;
                if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
                        return -EIO;
                buf[len] = 0;
                return 0;
        }
        return -ENOENT;
}

static int report_elf(const char *cmd, int fd, const unsigned char *ident, int err)
{
        unsigned char hdr[20];
        unsigned machine;
        struct utsname u;
        char interp[256];

        if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
                goto generic;
        machine = ident[EI_DATA] == ELFDATA2MSB ? (unsigned)(hdr[18] << 8 | hdr[19])
                                                : (unsigned)(hdr[18] | hdr[19] << 8);
        uname(&u);
        if (machine != host_machine() &&
            !(machine == EM_386 && host_machine() == EM_X86_64 && err != ENOEXEC)) {
                const char *name = execdiag_machine_name(machine);
                log_error("%s is %s %s binary, this machine runs %s", cmd,
                          name && strchr("aeiou", name[0]) ? "an" : "a",
                          name ? name : "a foreign-architecture", u.machine);
                return EXIT_CANNOT_RUN;
        }
        if (elf_interp(fd, ident, interp, sizeof interp) == 0 && access(interp, F_OK) < 0) {
                log_error("%s needs the ELF interpreter %s, which is missing from the image "
                          "(a binary built for another libc or distribution?)",
                          cmd, interp);
                return EXIT_CANNOT_RUN;
        }
generic:
        log_errno(-err, "cannot run %s", cmd);
        return EXIT_CANNOT_RUN;
}

static int report_script(const char *cmd, int fd, int err)
{
        char line[256];
        ssize_t n = pread(fd, line, sizeof line - 1, 0);
        char *p, *end;

        if (n < 2)
                return -1;
        line[n] = 0;
        p = line + 2;
        while (*p == ' ' || *p == '\t')
                p++;
        end = p + strcspn(p, " \t\n");
        *end = 0;
        if (*p && access(p, F_OK) < 0) {
                log_error("%s: its interpreter %s (from the #! line) is missing from the image",
                          cmd, p);
                return EXIT_CANNOT_RUN;
        }
        log_errno(-err, "cannot run %s (interpreter %s)", cmd, p);
        return EXIT_CANNOT_RUN;
}

int execdiag_report(const char *cmd, const char *path, int err)
{
        _cleanup_close_ int fd = -1;
        unsigned char ident[EI_NIDENT];
        struct stat st;

        if (!path || stat(path, &st) < 0) {
                log_error("%s: command not found in the sandbox", cmd);
                return EXIT_NOT_FOUND;
        }
        if (S_ISDIR(st.st_mode)) {
                log_error("%s is a directory", cmd);
                return EXIT_CANNOT_RUN;
        }
        if (err == EACCES) {
                log_error("%s: permission denied (not executable for this user, or on a "
                          "noexec mount)",
                          cmd);
                return EXIT_CANNOT_RUN;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0 && pread(fd, ident, sizeof ident, 0) == (ssize_t)sizeof ident) {
                if (memcmp(ident, ELFMAG, SELFMAG) == 0)
                        return report_elf(cmd, fd, ident, err);
                if (ident[0] == '#' && ident[1] == '!') {
                        int r = report_script(cmd, fd, err);
                        if (r >= 0)
                                return r;
                }
        }
        if (err == ENOEXEC) {
                log_error("%s is not in an executable format (not ELF, no #! line)", cmd);
                return EXIT_CANNOT_RUN;
        }
        log_errno(-err, "cannot run %s", cmd);
        return EXIT_CANNOT_RUN;
}
