/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <p11-kit/pkcs11.h>

/* A PKCS#11 module in a process of its own: kart-p11-host (daemon/p11host)
 * loads it, sandboxed, and serves it on a private socket with p11-kit's
 * RPC; kartd reaches it through p11-kit's client module
 * (p11-kit-client.so), one client instance per module, kept across the
 * host's restarts. A module that crashes takes its host along, never
 * kartd; one that hangs is ended by killing its host, which answers the
 * call kartd's thread waits in. */

typedef struct P11Remote P11Remote;

/* Once, in main(), before any thread: the directory for the hosts'
 * sockets ($RUNTIME_DIRECTORY/p11, else a private one under /tmp), and
 * the variable p11-kit's client reads set, so that later updates replace
 * its value in place. */
int p11_remote_setup(void);
/* At exit: the private directory, if one was made. */
void p11_remote_cleanup(void);

/* Opens the module file and keeps it only when no one but root can
 * change it or the directories on its way (kartd's hosts run as root).
 * Returns the descriptor, or -errno with error set. */
int p11_remote_open_module(const char *path, char *error, size_t size);

/* On the loop: a module's host-to-be (no process yet). */
int p11_remote_new(const char *name, bool os_locking, P11Remote **ret);
/* On the module's thread: starts a host for the module file module_fd
 * and connects p11-kit's client to it; *f is the client's function list,
 * initialized (the same list for every later start). Ends a host still
 * running first. On failure error says why (a host's exit told in
 * words). */
int p11_remote_start(P11Remote *r, int module_fd, CK_FUNCTION_LIST **f, char *error, size_t size);
/* On the module's thread, after a call failed: whether the host has
 * exited (waiting up to usec for its end to show), and how. */
bool p11_remote_gone(P11Remote *r, uint64_t usec, char *why, size_t size);
/* On the module's thread: disconnects the client, ends and reaps the host. */
void p11_remote_stop(P11Remote *r);
/* After the thread ended (or was left behind: then the memory stays). */
P11Remote *p11_remote_free(P11Remote *r);

/* Any thread: ends the host now running at once (SIGKILL); a call that
 * waits in it returns with an error. */
void p11_remote_kill(P11Remote *r);
/* Any thread: a new descriptor that becomes readable when the host now
 * running exits (a pidfd), or -errno. */
int p11_remote_watch(P11Remote *r);
/* Any thread: how the host of pidfd (from p11_remote_watch) ended. */
void p11_remote_describe_exit(int pidfd, char *why, size_t size);
/* kart-p11-host: $KART_P11_HOST (the tests'), else the installed one. */
const char *p11_remote_host_path(void);
/* Starts kart-p11-host with argv, descriptor from[i] as to[i], stdin
 * from /dev/null and the signal mask cleared; -errno on failure. */
int p11_remote_spawn(char *const argv[], const int *from, const int *to, size_t n, pid_t *ret);
/* The host's process ID, 0 when none runs. */
int p11_remote_pid(P11Remote *r);
