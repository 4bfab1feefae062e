/* Side-effect helpers that never see the config: fds, files, processes.
 * They log nothing; callers say what failed. Every fd they open is close-on-exec. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Mark every fd above stderr close-on-exec, so nothing the launcher inherited can reach a
 * sandbox (the launcher's first act, like doas's closefrom). */
void fds_cloexec_from(int first);

int write_all(int fd, const void *buf, size_t n);
/* Whole-file helpers relative to a directory fd (AT_FDCWD allowed). read_file_at returns a
 * NUL-terminated buffer in *ret (caller frees), at most max bytes. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
int write_file_at(int dirfd, const char *path, const char *content, int flags, mode_t mode);

/* mkdir that is happy when the directory exists. */
int mkdir_exist_ok(int dirfd, const char *path, mode_t mode);

/* Remove name in dirfd and everything below it, never following symlinks and never crossing
 * into another mount. Makes directories searchable/writable on the way, since images carry
 * mode 000 directories. Missing name is success. */
int rm_rf_at(int dirfd, const char *name);

/* Search PATH (then /usr/sbin:/usr/bin:/sbin:/bin) for an executable; NULL if absent. */
char *find_executable(const char *name);

/* fork+exec argv with stdin from /dev/null unless keep_stdin; returns the pid or -errno. */
pid_t spawn(char *const argv[], bool keep_stdin);
/* Waits for pid; returns its exit status (0..255), 128+signal, or -errno. */
int wait_exit_status(pid_t pid);

/* Directory of the running executable (from /proc/self/exe). */
int self_exe_dir(char *buf, size_t size);
/* Where the helper program name is: next to the launcher when it is there (a build tree), else
 * in SANDBOX_LIBEXECDIR (an installation). Allocated; the caller finds out whether it runs. */
char *helper_path(const char *name);

/* 64 random bits as 16 lowercase hex characters plus NUL. */
int random_hex16(char out[17]);

/* Close every fd except the ones listed (-1 entries ignored). */
void close_all_except(const int *keep, size_t n);

/* fork-like clone(2) into new namespaces: returns 0 in the child, its pid in the parent. The
 * child must not use pthreads or raise() (glibc's cached thread id is the parent's). With
 * cgroup_fd >= 0 the child starts in that cgroup (clone3 with CLONE_INTO_CGROUP, Linux 5.7);
 * -1 with errno ENOSYS, E2BIG or EINVAL on kernels without it. */
pid_t clone_namespaces(unsigned long flags, int cgroup_fd);
