/* The files a runtime provides in every sandbox: /etc/hostname, /etc/hosts, /etc/resolv.conf.
 * Runs in the child before pivot_root: written into the run dir, then bind-mounted over the
 * image's own, so an image whose /etc belongs to an unmapped owner needs no copy-up. */
#pragma once

struct config;

int etcfiles_setup(int rootfd, const char *rundir, const struct config *c);
