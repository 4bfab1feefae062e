/* The sandbox's user namespace id maps: the invoking user becomes root inside, and its
 * subordinate range (from /etc/subuid and /etc/subgid) becomes ids 1..N, written by the
 * system's setuid newuidmap/newgidmap. Without a range: a single-id map the user may write.
 * Runs on the host, as the invoking user. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

int userns_plan_build(struct userns_plan *p)
{
        _cleanup_free_ char *subuid = NULL, *subgid = NULL;
        _cleanup_free_ char *name = host_user_name();
        uint32_t nu, ng;
        char fu[32], fg[32];

        memset(p, 0, sizeof *p);
        (void)read_file_at(AT_FDCWD, "/etc/subuid", 1 << 20, &subuid, NULL);
        (void)read_file_at(AT_FDCWD, "/etc/subgid", 1 << 20, &subgid, NULL);
        nu = idmap_build(subuid, name, getuid(), &p->uid);
        ng = idmap_build(subgid, name, getgid(), &p->gid);

        if (nu > 0 && ng > 0) {
                p->newuidmap = find_executable("newuidmap");
                p->newgidmap = find_executable("newgidmap");
                if (!p->newuidmap || !p->newgidmap)
                        p->why_single =
                            xasprintf("newuidmap/newgidmap not found; using a single-id map (only "
                                      "root exists inside). Fix: install the uidmap package");
        } else {
                p->why_single = xasprintf(
                    "no subordinate id range for %s in /etc/subuid and /etc/subgid; using a "
                    "single-id map (only root exists inside). Fix: sudo usermod "
                    "--add-subuids 100000-165535 --add-subgids 100000-165535 %s",
                    name ? name : "your uid", name ? name : "USER");
        }
        if (p->why_single) {
                /* Both maps fall back together: a range on one side only would still need
                 * setgroups denied, which only the single-id path does. */
                idmap_build(NULL, NULL, getuid(), &p->uid);
                idmap_build(NULL, NULL, getgid(), &p->gid);
                free(p->newuidmap);
                free(p->newgidmap);
                p->newuidmap = p->newgidmap = NULL;
        }
        idmap_fingerprint(&p->uid, fu, sizeof fu);
        idmap_fingerprint(&p->gid, fg, sizeof fg);
        snprintf(p->fingerprint, sizeof p->fingerprint, "%s%s%s", fu, streq(fu, fg) ? "" : "_",
                 streq(fu, fg) ? "" : fg);
        return 0;
}

void userns_plan_free(struct userns_plan *p)
{
        free(p->newuidmap);
        free(p->newgidmap);
        free(p->why_single);
}

/* argv for newuidmap: PID then "inside outside count" triples. */
static char **helper_argv(const char *helper, pid_t pid, const struct id_map *m)
{
        char **argv = NULL;
        strv_push_dup(&argv, helper);
        strv_push(&argv, xasprintf("%d", pid));
        for (size_t i = 0; i < m->n; i++) {
                strv_push(&argv, xasprintf("%u", m->ext[i].inside));
                strv_push(&argv, xasprintf("%u", m->ext[i].outside));
                strv_push(&argv, xasprintf("%u", m->ext[i].count));
        }
        return argv;
}

static int write_proc(pid_t pid, const char *file, const char *content)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
        return write_file_at(AT_FDCWD, path, content, 0, 0);
}

static int write_single(const struct userns_plan *p, pid_t pid)
{
        char buf[64];
        int r;
        /* The kernel lets an unprivileged user map its own gid only once setgroups is denied
         * (otherwise the sandbox could drop a group that denies it access). */
        r = write_proc(pid, "setgroups", "deny");
        if (r < 0)
                return log_errno(r, "writing /proc/%d/setgroups", pid);
        snprintf(buf, sizeof buf, "0 %u 1\n", p->uid.ext[0].outside);
        r = write_proc(pid, "uid_map", buf);
        if (r < 0)
                return log_errno(r, "writing the uid map");
        snprintf(buf, sizeof buf, "0 %u 1\n", p->gid.ext[0].outside);
        r = write_proc(pid, "gid_map", buf);
        if (r < 0)
                return log_errno(r, "writing the gid map");
        TRACE(0, "idmap", "single-id map: uid 0→%u, gid 0→%u, setgroups denied",
              p->uid.ext[0].outside, p->gid.ext[0].outside);
        return 0;
}

int userns_write_maps(const struct userns_plan *p, pid_t pid)
{
        _cleanup_strv_free_ char **ua = NULL, **ga = NULL;
        pid_t up, gp;
        int us, gs;
        TRACE_BEGIN(t);

        if (!p->newuidmap)
                return write_single(p, pid);
        ua = helper_argv(p->newuidmap, pid, &p->uid);
        ga = helper_argv(p->newgidmap, pid, &p->gid);
        /* Both at once: each is a setuid exec, the slowest step of a launch. */
        up = spawn(ua, false);
        if (up < 0)
                return log_errno(up, "running %s", p->newuidmap);
        gp = spawn(ga, false);
        us = wait_exit_status(up);
        if (gp < 0)
                return log_errno(gp, "running %s", p->newgidmap);
        gs = wait_exit_status(gp);
        if (us != 0)
                return log_error("%s failed (status %d): check your range in /etc/subuid", ua[0],
                                 us);
        if (gs != 0)
                return log_error("%s failed (status %d): check your range in /etc/subgid", ga[0],
                                 gs);
        if (trace_on()) {
                char um[512], gm[512];
                idmap_format(&p->uid, um, sizeof um);
                idmap_format(&p->gid, gm, sizeof gm);
                for (char *c = um; *c; c++)
                        *c = *c == '\n' && c[1] ? ',' : *c == '\n' ? 0 : *c;
                for (char *c = gm; *c; c++)
                        *c = *c == '\n' && c[1] ? ',' : *c == '\n' ? 0 : *c;
                TRACE(t, "idmap", "%s wrote uid_map %s; %s wrote gid_map %s (inside outside count)",
                      p->newuidmap, um, p->newgidmap, gm);
        }
        return 0;
}

static long read_knob(const char *path)
{
        _cleanup_free_ char *text = NULL;
        uint64_t v;
        if (read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
                return -1;
        text[strcspn(text, "\n")] = 0;
        return parse_u64(text, &v) < 0 ? -1 : (long)v;
}

int userns_explain_denied(int err)
{
        if (read_knob("/proc/sys/kernel/unprivileged_userns_clone") == 0)
                return log_errno(-err, "creating a user namespace: the system forbids it to "
                                       "unprivileged users (kernel.unprivileged_userns_clone = 0; "
                                       "fix: sysctl -w kernel.unprivileged_userns_clone=1)");
        if (read_knob("/proc/sys/user/max_user_namespaces") == 0)
                return log_errno(-err, "creating a user namespace: the system allows none "
                                       "(user.max_user_namespaces = 0; fix: sysctl -w "
                                       "user.max_user_namespaces=15000)");
        if (read_knob("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
                return log_errno(-err, "creating a user namespace: AppArmor restricts them "
                                       "(kernel.apparmor_restrict_unprivileged_userns = 1; fix: "
                                       "an AppArmor profile for sandbox with 'userns,', or sysctl "
                                       "-w kernel.apparmor_restrict_unprivileged_userns=0)");
        if (err == ENOSPC)
                return log_errno(-err, "creating a user namespace: the limit is reached "
                                       "(user.max_user_namespaces, or nesting deeper than 32)");
        return log_errno(-err, "creating a user namespace (are unprivileged user namespaces "
                               "allowed on this system? inside another container, the outer "
                               "runtime may forbid them)");
}
