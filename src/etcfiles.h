/* The files a runtime writes into every sandbox: /etc/hostname, /etc/hosts, /etc/resolv.conf.
 * Runs in the child before pivot_root; writes land in the overlay's upper layer only. */
#pragma once

struct config;

int etcfiles_write(int rootfd, const struct config *c);
