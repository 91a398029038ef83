/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p11host.h"

/* The host shuts itself in before it loads a module that kartd does not
 * know, and which sees PINs.
 *
 * What the module is refused, and why it is a deny list: a vendor's
 * module makes system calls nobody can list beforehand (threads, pcscd's
 * socket, shared memory, its own files and logs), so the filter allows
 * by default and refuses only what a card module never needs:
 *  - sockets of any family but AF_UNIX, with EAFNOSUPPORT, as a system
 *    without networking would answer: a module reaches pcscd over
 *    AF_UNIX and needs nothing else, and a PIN must not leave the
 *    machine. (AF_NETLINK too: kartd.service allows it neither.)
 *  - io_uring, which can open sockets (IORING_OP_SOCKET) past the filter;
 *  - looking into or changing other processes (ptrace, process_vm_*,
 *    pidfd_getfd, kcmp, process_madvise);
 *  - mounts, namespaces (unshare, setns, clone with a CLONE_NEW* flag;
 *    clone3, whose flags a filter cannot read, answers ENOSYS so that
 *    the C library falls back to clone), chroot;
 *  - the kernel itself: modules, kexec, bpf, perf_event_open, reboot,
 *    swap, acct, the kernel log, quotas, I/O ports, the clock;
 *  - the kernel's keyrings, userfaultfd (a tool of kernel exploits),
 *    open_by_handle_at.
 * Refused calls answer EPERM, so that a module that tries one fails the
 * way an unprivileged process would, rather than being killed. System
 * calls of another ABI (i386's int 0x80, x32) kill the process: the rules
 * above are written for the native one only.
 * Under AddressSanitizer ptrace stays allowed: LeakSanitizer needs it to
 * look at the process when it exits. */

#if defined(__SANITIZE_ADDRESS__)
#  define HOST_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define HOST_ASAN 1
#  endif
#endif
#ifndef HOST_ASAN
#  define HOST_ASAN 0
#endif

static const char *const denied_syscalls[] = {
        "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "process_madvise",
        "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "bpf", "perf_event_open", "reboot", "swapon", "swapoff", "acct", "syslog", "quotactl",
        "iopl", "ioperm", "settimeofday", "clock_settime",
        "keyctl", "add_key", "request_key",
        "userfaultfd", "open_by_handle_at",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
};

/* clone's first argument is its flags (on every architecture Debian
 * builds for but s390x, where it is the second: there the rule has no
 * effect, and unshare and setns are still refused). */
static const unsigned long namespace_flags[] = {
        CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release);

static int install_filter(void) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;

        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                             SCMP_A0_32(SCMP_CMP_NE, AF_UNIX));
        if (r < 0)
                return r;
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                             SCMP_A0_32(SCMP_CMP_NE, AF_UNIX));
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(denied_syscalls); i++) {
                int nr;

                if (HOST_ASAN && streq(denied_syscalls[i], "ptrace"))
                        continue;
                nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue;       /* not on this architecture */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0)
                        return r;
        }

        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                     SCMP_A0_64(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
                if (r < 0)
                        return r;
        }

        return seccomp_load(ctx);
}

/* Whatever kartd's parent left open beyond the two descriptors kartd
 * hands over is none of the module's business. */
static int close_other_fds(void) {
        struct rlimit rl;

        if (close_range(HOST_FD_LISTEN + 1, ~0U, 0) == 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        for (rlim_t fd = HOST_FD_LISTEN + 1; fd < rl.rlim_cur && fd < 65536; fd++)
                (void) close((int) fd);
        return 0;
}

/* What a module may need from the environment: pcscd's socket, the
 * configuration of OpenSC and SoftHSM2, the locale, and the settings of
 * the test modules (KART_P11_FAKE*, and KART_P11_WRAP of the retry
 * module). Everything else goes, the bus addresses and proxies first. */
static bool env_kept(const char *entry) {
        static const char *const names[] = {
                "PCSCLITE_CSOCK_NAME", "OPENSC_CONF", "OPENSC_DRIVER", "SOFTHSM2_CONF", "LANG",
        };
        static const char *const prefixes[] = { "LC_", "KART_P11_" };
        size_t n = strcspn(entry, "=");

        if (entry[n] != '=')
                return false;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == n && strncmp(entry, names[i], n) == 0)
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(entry, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

static int clear_environment(void) {
        extern char **environ;
        _cleanup_free_ char **kept = NULL;
        size_t n = 0, k = 0;

        for (char **e = environ; e && *e; e++)
                n++;
        kept = calloc(n + 1, sizeof *kept);
        if (!kept)
                return -ENOMEM;
        for (char **e = environ; e && *e; e++)
                if (env_kept(*e))
                        kept[k++] = *e;
        if (clearenv() != 0)
                return -ENOMEM;
        /* putenv() keeps the strings themselves (they stay where exec
         * put them), not the array */
        for (size_t i = 0; i < k; i++)
                if (putenv(kept[i]) != 0)
                        return negative_errno();
        return 0;
}

/* kartd blocks SIGTERM and SIGINT for its loop and the mask survives
 * exec: undo it, so that a stop by signal works. A crash is to end the
 * host by its signal, which kartd names, even where a handler (a
 * sanitizer's) would turn it into an exit; and a client that goes away
 * while it is answered must not kill the host with SIGPIPE. */
static int reset_signals(void) {
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGHUP };
        sigset_t none;

        for (size_t i = 0; i < ELEMENTSOF(fatal); i++)
                if (signal(fatal[i], SIG_DFL) == SIG_ERR)
                        return negative_errno();
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return negative_errno();
        sigemptyset(&none);
        return sigprocmask(SIG_SETMASK, &none, NULL) < 0 ? negative_errno() : 0;
}

int host_sandbox(void) {
        pid_t parent = getppid();
        int r;

        r = close_other_fds();
        if (r < 0) {
                host_log("Could not close the descriptors it inherited: %s", strerror(-r));
                return HOST_EXIT_SANDBOX;
        }

        /* Never outlive kartd, the only client. If kartd died before the
         * signal was set up, the host has been handed to another parent
         * already. (The parent is the thread that started the host.) */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                host_log("Could not set its parent-death signal: %s", strerror(errno));
                return HOST_EXIT_SANDBOX;
        }
        if (parent == 1 || getppid() != parent) {
                host_log("kartd went away before the host started.");
                return HOST_EXIT_SANDBOX;
        }

        /* PINs pass through: no core dump, no /proc/PID/mem for others */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                host_log("Could not make itself non-dumpable and without new privileges: %s", strerror(errno));
                return HOST_EXIT_SANDBOX;
        }

        r = reset_signals();
        if (r < 0) {
                host_log("Could not reset its signals: %s", strerror(-r));
                return HOST_EXIT_SANDBOX;
        }

        r = install_filter();
        if (r < 0) {
                host_log("Could not install its system call filter: %s", strerror(-r));
                return HOST_EXIT_SANDBOX;
        }

        r = clear_environment();
        if (r < 0) {
                host_log("Could not clear its environment: %s", strerror(-r));
                return HOST_EXIT_SANDBOX;
        }
        return 0;
}
