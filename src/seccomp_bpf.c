/* Seccomp programs: compiled from a recorded list of rules by libseccomp on the host, cached
 * per distinct policy as raw BPF under the user's cache, and installed by the workload with
 * seccomp(2) alone. Compiling runs on the host as the invoking user; installing in the
 * workload, after no_new_privs. */
#include "seccomp_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

#define CACHE_MAGIC 0x53425046u /* "SBPF" */

void seccomp_desc_add(struct seccomp_filter_desc *f, uint32_t action, int nr, unsigned n,
                      const struct scmp_arg_cmp *cmp)
{
        struct seccomp_rule_desc *nr_rules = realloc(f->rules, (f->n_rules + 1) * sizeof *f->rules);
        if (!nr_rules)
                abort();
        f->rules = nr_rules;
        memset(&f->rules[f->n_rules], 0, sizeof f->rules[0]);
        f->rules[f->n_rules].action = action;
        f->rules[f->n_rules].nr = nr;
        f->rules[f->n_rules].n = n < SECCOMP_MAX_ARGS ? n : SECCOMP_MAX_ARGS;
        for (unsigned i = 0; i < f->rules[f->n_rules].n; i++)
                f->rules[f->n_rules].cmp[i] = cmp[i];
        f->n_rules++;
}

void seccomp_desc_free(struct seccomp_filter_desc *f)
{
        free(f->rules);
        f->rules = NULL;
        f->n_rules = 0;
}

void seccomp_programs_free(struct seccomp_programs *p)
{
        for (size_t i = 0; i < p->n; i++)
                free(p->prog[i].filter);
        memset(p, 0, sizeof *p);
}

/* 128 bits of FNV-1a over everything the programs depend on: the libseccomp that compiles
 * them, the machine, and every rule. Not a defence against anyone: the cache is the user's own
 * and unreachable from inside a sandbox; it only tells policies apart. */
static void hash_u64(uint64_t h[2], uint64_t v)
{
        for (int i = 0; i < 8; i++) {
                unsigned char byte = (unsigned char)(v >> (8 * i));
                h[0] = (h[0] ^ byte) * 1099511628211ULL;
                h[1] = (h[1] ^ byte) * 1099511628211ULL;
        }
}

static void policy_key(const struct seccomp_filter_desc *f, size_t n, char out[33])
{
        const struct scmp_version *v = seccomp_version();
        uint64_t h[2] = {1469598103934665603ULL, 0x84222325cbf29ce4ULL};

        hash_u64(h, v ? ((uint64_t)v->major << 32 | v->minor << 16 | v->micro) : 0);
        hash_u64(h, seccomp_arch_native());
        for (size_t i = 0; i < n; i++) {
                hash_u64(h, f[i].default_action);
                hash_u64(h, f[i].n_rules);
                for (size_t k = 0; k < f[i].n_rules; k++) {
                        const struct seccomp_rule_desc *r = &f[i].rules[k];
                        hash_u64(h, r->action);
                        hash_u64(h, (uint64_t)(int64_t)r->nr);
                        hash_u64(h, r->n);
                        for (unsigned a = 0; a < r->n; a++) {
                                hash_u64(h, r->cmp[a].arg);
                                hash_u64(h, r->cmp[a].op);
                                hash_u64(h, r->cmp[a].datum_a);
                                hash_u64(h, r->cmp[a].datum_b);
                        }
                }
        }
        snprintf(out, 33, "%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

/* One libseccomp context per ABI, merged at the end: libseccomp adds a rule to all the ABIs of
 * a context or to none, and a rule that is redundant on one ABI (i386's socketcall is denied
 * whole) would then be missing on the others. The foreign ABIs (int 0x80, x32) get the same
 * rules, or they would be a way around them. */
static int compile_one(const struct seccomp_filter_desc *f, struct sock_fprog *ret)
{
        const uint32_t foreign[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
        scmp_filter_ctx ctx[3] = {NULL};
        size_t n_ctx = 0;
        _cleanup_close_ int mfd = -1;
        struct stat st;
        int r = 0;

        ctx[n_ctx++] = seccomp_init(f->default_action);
        for (size_t i = 0;
             i < ARRAY_SIZE(foreign) && seccomp_arch_native() == SCMP_ARCH_X86_64 && ctx[0]; i++) {
                ctx[n_ctx] = seccomp_init(f->default_action);
                if (!ctx[n_ctx])
                        break;
                r = seccomp_arch_remove(ctx[n_ctx], SCMP_ARCH_NATIVE);
                if (r == 0)
                        r = seccomp_arch_add(ctx[n_ctx], foreign[i]);
                n_ctx++;
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < n_ctx; i++)
                if (!ctx[i] || seccomp_attr_set(ctx[i], SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        for (size_t k = 0; k < f->n_rules; k++)
                for (size_t i = 0; i < n_ctx; i++) {
                        const struct seccomp_rule_desc *d = &f->rules[k];
                        r = seccomp_rule_add_array(ctx[i], d->action, d->nr, d->n, d->cmp);
                        /* EEXIST: already covered on this ABI; EDOM: no such call there. */
                        if (r < 0 && r != -EEXIST && r != -EDOM)
                                goto out;
                        r = 0;
                }
        /* seccomp_merge releases the context it merges in, on success. */
        while (n_ctx > 1) {
                r = seccomp_merge(ctx[0], ctx[n_ctx - 1]);
                if (r < 0)
                        goto out;
                ctx[--n_ctx] = NULL;
        }
        mfd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        if (mfd < 0) {
                r = -errno;
                goto out;
        }
        r = seccomp_export_bpf(ctx[0], mfd);
        if (r < 0)
                goto out;
        if (fstat(mfd, &st) < 0 || st.st_size == 0 ||
            st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
            st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
                r = -EINVAL;
                goto out;
        }
        ret->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
        ret->filter = xcalloc(ret->len, sizeof(struct sock_filter));
        if (pread(mfd, ret->filter, (size_t)st.st_size, 0) != st.st_size) {
                r = -EIO;
                goto out;
        }
out:
        for (size_t i = 0; i < n_ctx; i++)
                if (ctx[i])
                        seccomp_release(ctx[i]);
        return r;
}

static int cache_read(int dirfd, const char *name, struct seccomp_programs *ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t len, off = 3 * sizeof(uint32_t);
        uint32_t hdr[3];

        if (read_file_at(dirfd, name, 1 << 20, &buf, &len) < 0 || len < off)
                return -ENOENT;
        memcpy(hdr, buf, sizeof hdr);
        if (hdr[0] != CACHE_MAGIC || hdr[1] != 1 || hdr[2] == 0 || hdr[2] > SECCOMP_MAX_PROGRAMS)
                return -EINVAL;
        for (uint32_t i = 0; i < hdr[2]; i++) {
                uint32_t n;
                if (len - off < sizeof n)
                        goto bad;
                memcpy(&n, buf + off, sizeof n);
                off += sizeof n;
                if (n == 0 || n > BPF_MAXINSNS || (len - off) / sizeof(struct sock_filter) < n)
                        goto bad;
                ret->prog[i].len = (unsigned short)n;
                ret->prog[i].filter = xcalloc(n, sizeof(struct sock_filter));
                memcpy(ret->prog[i].filter, buf + off, n * sizeof(struct sock_filter));
                off += n * sizeof(struct sock_filter);
                ret->n = i + 1;
        }
        if (off != len)
                goto bad;
        return 0;
bad:
        seccomp_programs_free(ret);
        return -EINVAL;
}

/* Written to a temporary name and renamed: a concurrent launch reads the old file or the new
 * one, never half of one. */
static void cache_write(int dirfd, const char *name, const struct seccomp_programs *p)
{
        char tmp[64];
        uint32_t hdr[3] = {CACHE_MAGIC, 1, (uint32_t)p->n};
        _cleanup_close_ int fd = -1;
        bool ok;

        snprintf(tmp, sizeof tmp, ".%s.%d", name, getpid());
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        ok = write_all(fd, hdr, sizeof hdr) == 0;
        for (size_t i = 0; i < p->n && ok; i++) {
                uint32_t n = p->prog[i].len;
                ok = write_all(fd, &n, sizeof n) == 0 &&
                     write_all(fd, p->prog[i].filter, n * sizeof(struct sock_filter)) == 0;
        }
        if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
                (void)unlinkat(dirfd, tmp, 0);
}

int seccomp_bpf_build(const struct seccomp_filter_desc *f, size_t n, int cache_fd,
                      struct seccomp_programs *ret)
{
        _cleanup_close_ int dir = -1;
        char key[33], name[48];
        int r;

        memset(ret, 0, sizeof *ret);
        policy_key(f, n, key);
        snprintf(name, sizeof name, "%s.bpf", key);
        if (cache_fd >= 0 && mkdir_exist_ok(cache_fd, "seccomp", 0700) == 0)
                dir = openat(cache_fd, "seccomp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0 && cache_read(dir, name, ret) == 0 && ret->n == n) {
                ret->from_cache = true;
                return 0;
        }
        seccomp_programs_free(ret);
        for (size_t i = 0; i < n; i++) {
                r = compile_one(&f[i], &ret->prog[i]);
                if (r < 0) {
                        seccomp_programs_free(ret);
                        return log_errno(r, "compiling the seccomp filter");
                }
                ret->n = i + 1;
        }
        if (dir >= 0)
                cache_write(dir, name, ret);
        return 0;
}

int seccomp_install(const struct seccomp_programs *p)
{
        for (size_t i = 0; i < p->n; i++)
                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p->prog[i]) < 0)
                        return log_errno(-errno, "loading the seccomp filter");
        TRACE(0, "seccomp", "%zu filter(s) installed", p->n);
        return 0;
}
