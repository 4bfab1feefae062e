/* Setters and show functions of the profile settings: [namespaces], [filesystem] mounts,
 * [environment], [capabilities], [seccomp] (profile_settings.c), [rlimits]
 * (rlimit_settings.c); the table in schema.c names them.
 * Pure, apart from stat(2) of bind sources; runs on the host while the config is built. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct setting;

#define PS_SETTER(name) int name(struct config *c, const char *v, char *err, size_t errsize)
#define PS_SHOWER(name) void name(const struct config *c, const struct setting *s, FILE *f)

PS_SETTER(apply_ns_ipc);
PS_SETTER(apply_ns_uts);
PS_SETTER(apply_ns_cgroup);
PS_SHOWER(show_ns);

PS_SETTER(apply_bind);
PS_SETTER(apply_ro_bind);
PS_SETTER(apply_dev_bind);
PS_SETTER(apply_tmpfs);
PS_SETTER(apply_symlink);
PS_SETTER(apply_dir);
PS_SHOWER(show_mounts);

PS_SETTER(apply_env_set);
PS_SETTER(apply_env_keep);
PS_SETTER(apply_env_unset);
PS_SETTER(apply_env_clear);
PS_SHOWER(show_env);

PS_SETTER(apply_cap_keep);
PS_SETTER(apply_cap_drop);
PS_SETTER(apply_cap_ambient);
PS_SHOWER(show_caps);

PS_SETTER(apply_seccomp_enabled);
PS_SETTER(apply_seccomp_default);
PS_SETTER(apply_seccomp_errno);
PS_SETTER(apply_seccomp_log);
PS_SETTER(apply_seccomp_allow);
PS_SETTER(apply_seccomp_deny);
PS_SETTER(apply_seccomp_rule);
PS_SHOWER(show_seccomp);

PS_SETTER(apply_rlimit_as);
PS_SETTER(apply_rlimit_core);
PS_SETTER(apply_rlimit_cpu);
PS_SETTER(apply_rlimit_data);
PS_SETTER(apply_rlimit_fsize);
PS_SETTER(apply_rlimit_locks);
PS_SETTER(apply_rlimit_memlock);
PS_SETTER(apply_rlimit_msgqueue);
PS_SETTER(apply_rlimit_nice);
PS_SETTER(apply_rlimit_nofile);
PS_SETTER(apply_rlimit_nproc);
PS_SETTER(apply_rlimit_rtprio);
PS_SETTER(apply_rlimit_rttime);
PS_SETTER(apply_rlimit_sigpending);
PS_SETTER(apply_rlimit_stack);
PS_SHOWER(show_rlimit);

/* Capability sets as text: "CHOWN, NET_BIND_SERVICE" (libcap's names, upper case, without
 * the CAP_ prefix), and back; "ALL" is every capability this kernel knows. The format is
 * "key = ..." lines, wrapped. */
int caps_parse_list(const char *v, uint64_t *ret, char *err, size_t errsize);
void caps_format_list(uint64_t caps, const char *key, FILE *f);
/* RLIMIT_* number of a [rlimits] key ("nofile"), or -1; and back. */
int rlimit_by_key(const char *key);
const char *rlimit_key(int resource);

#undef PS_SETTER
#undef PS_SHOWER
