/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "p11-remote.h"
#include "p11host/p11host-protocol.h"

#define STOP_WAIT_MSEC 1000
/* A host whose client's C_Initialize failed is exiting (it could not load
 * its module): time for its status to show, on a loaded machine too. */
#define EXIT_WAIT_MSEC 5000

extern char **environ;

struct P11Remote {
        char *name;
        bool os_locking;
        char path[sizeof(((struct sockaddr_un *) NULL)->sun_path)];
        CK_FUNCTION_LIST *f;            /* p11-kit's client instance; the thread's */
        bool connected;                 /* the thread's */

        /* The host now running; under lock, as the loop kills and
         * watches it while the thread waits in it. */
        pthread_mutex_t lock;
        pid_t pid;
        int pidfd;              /* the host is reaped (waitid) only when it is ended */
};

static char socket_dir[PATH_MAX];
static bool own_dir;
static unsigned n_sockets;

/* p11-kit's client module, shared by every module's client instance; its
 * C_GetFunctionList reads the server's address from the environment. */
static pthread_mutex_t client_lock = PTHREAD_MUTEX_INITIALIZER;
static void *client_dl;
static CK_C_GetFunctionList client_get;

int p11_remote_setup(void) {
        /* glibc replaces a value in place: no thread's getenv() sees the
         * environment array moved under it later. */
        return setenv("P11_KIT_SERVER_ADDRESS", "unix:path=/nonexistent", 1) < 0 ? -errno : 0;
}

/* The directory of the hosts' sockets, made with the first module (on
 * the loop). */
static int socket_dir_make(void) {
        const char *rt = getenv("RUNTIME_DIRECTORY");   /* systemd's RuntimeDirectory= */

        if (socket_dir[0])
                return 0;
        if (rt && rt[0] == '/') {
                /* the first of a colon-separated list */
                snprintf(socket_dir, sizeof socket_dir, "%.*s/p11", (int) strcspn(rt, ":"), rt);
                if (mkdir(socket_dir, 0700) < 0 && errno != EEXIST) {
                        socket_dir[0] = 0;
                        return -errno;
                }
                return 0;
        }
        snprintf(socket_dir, sizeof socket_dir, "/tmp/kartd-p11-XXXXXX");
        if (!mkdtemp(socket_dir)) {
                socket_dir[0] = 0;
                return -errno;
        }
        own_dir = true;
        return 0;
}

void p11_remote_cleanup(void) {
        if (own_dir)
                (void) rmdir(socket_dir);
}

/* No one but root may change what kartd runs: st is a file or directory
 * owned by root and writable by no one else (a directory root's sticky
 * one, as /tmp, is fine: its entries cannot be swapped). */
static bool only_root_writes(const struct stat *st) {
        if (st->st_uid != 0)
                return false;
        if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
                return true;
        return S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
}

/* A module sees PINs and its host runs as root: opens the file once,
 * and keeps it only when it is a regular file that no one but root can
 * change, in directories no one but root can change. The file checked is
 * the one the host loads (its descriptor 3). Returns the descriptor or
 * -errno with error set. */
int p11_remote_open_module(const char *path, char *error, size_t size) {
        _cleanup_close_ int fd = -1;
        char real[PATH_MAX];
        struct stat st, rst;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;

                snprintf(error, size, "cannot read it: %s", strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(error, size, "it is not a regular file");
                return -EBADE;
        }
        if (!only_root_writes(&st)) {
                snprintf(error, size, "the file is not root's alone (owner uid %u, mode %04o)",
                         (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        /* every directory on its way, after links */
        if (!realpath(path, real) || stat(real, &rst) < 0 || rst.st_dev != st.st_dev || rst.st_ino != st.st_ino) {
                snprintf(error, size, "its path changed while it was checked");
                return -EBADE;
        }
        for (char *slash = strrchr(real, '/'); slash; slash = strrchr(real, '/')) {
                struct stat dst;

                *slash = 0;
                if (stat(real[0] ? real : "/", &dst) < 0 || !only_root_writes(&dst)) {
                        snprintf(error, size, "directory %.200s can be changed by users other than root",
                                 real[0] ? real : "/");
                        return -EPERM;
                }
                if (!real[0])
                        break;
        }
        return TAKE_FD(fd);
}


int p11_remote_new(const char *name, bool os_locking, P11Remote **ret) {
        unsigned n = __atomic_add_fetch(&n_sockets, 1, __ATOMIC_RELAXED);
        P11Remote *r;
        int k;

        k = socket_dir_make();
        if (k < 0)
                return log_error_errno(k, "Cannot make a directory for the PKCS#11 modules' hosts: %m");
        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        *r = (P11Remote) { .os_locking = os_locking, .pidfd = -1 };
        r->name = strdup(name);
        if (!r->name) {
                free(r);
                return -ENOMEM;
        }
        if ((size_t) snprintf(r->path, sizeof r->path, "%s/module-%u.sock", socket_dir, n) >= sizeof r->path) {
                free(r->name);
                free(r);
                return -ENAMETOOLONG;
        }
        pthread_mutex_init(&r->lock, NULL);
        *ret = r;
        return 0;
}

const char *p11_remote_host_path(void) {
        /* The tests run the build tree's host. */
        const char *p = getenv("KART_P11_HOST");

        return p && p[0] == '/' ? p : LIBEXECDIR "/kart-p11-host";
}

static void describe_status(int code, int status, char *why, size_t size) {
        if (code == CLD_KILLED || code == CLD_DUMPED) {
                snprintf(why, size, "its host was ended by %s%s", sigabbrev_np(status) ? "SIG" : "signal ",
                         sigabbrev_np(status) ?: "?");
                return;
        }
        switch (status) {
        case HOST_EXIT_NOT_PKCS11:
                snprintf(why, size, "it is not a PKCS#11 module (no C_GetFunctionList)");
                break;
        case HOST_EXIT_NO_LIBRARY:
                snprintf(why, size, "it is not a shared object that can be loaded");
                break;
        case HOST_EXIT_BAD_LIST:
                snprintf(why, size, "its C_GetFunctionList fails or returns an unusable list");
                break;
        case HOST_EXIT_INIT_FAILED:
                snprintf(why, size, "its C_Initialize failed (try the module in or out of [PKCS11] OSLocking=)");
                break;
        case HOST_EXIT_SANDBOX:
                snprintf(why, size, "its host could not shut itself in (see its line above)");
                break;
        default:
                snprintf(why, size, "its host exited with status %d", status);
        }
}

void p11_remote_describe_exit(int pidfd, char *why, size_t size) {
        siginfo_t si = {};

        /* WNOWAIT: the module's thread reaps it */
        if (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                snprintf(why, size, "its host ended");
        else
                describe_status(si.si_code, si.si_status, why, size);
}

/* Whether the host now running has exited, waiting up to msec; it is
 * left unreaped (until end_host()), so that the loop, which watches a
 * copy of its pidfd, can tell how it ended too. */
static bool exited(P11Remote *r, int msec, siginfo_t *si) {
        struct pollfd p = { .fd = r->pidfd, .events = POLLIN };

        *si = (siginfo_t) {};
        if (r->pidfd < 0)
                return true;
        if (msec > 0)
                (void) poll(&p, 1, msec);
        return waitid(P_PIDFD, (id_t) r->pidfd, si, WEXITED | WNOHANG | WNOWAIT) == 0 && si->si_pid != 0;
}

/* Ends the host now running, if any, and reaps it. */
static void end_host(P11Remote *r) {
        siginfo_t si;
        int fd;

        if (r->pidfd < 0)
                return;
        if (!exited(r, 0, &si)) {
                p11_remote_kill(r);
                (void) exited(r, STOP_WAIT_MSEC, &si);
        }
        pthread_mutex_lock(&r->lock);
        (void) waitid(P_PIDFD, (id_t) r->pidfd, &si, WEXITED);
        fd = r->pidfd;
        r->pidfd = -1;
        r->pid = 0;
        pthread_mutex_unlock(&r->lock);
        (void) close(fd);
}

/* The listening socket, bound anew at r's path in the private directory
 * (a restarted host takes the place of the one before). */
static int listen_at(P11Remote *r) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        memcpy(sa.sun_path, r->path, sizeof sa.sun_path);
        (void) unlink(r->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 4) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int p11_remote_spawn(char *const argv[], const int *from, const int *to, size_t n, pid_t *ret) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none;
        int e;

        sigemptyset(&none);     /* kartd blocks TERM and INT for its loop */
        e = posix_spawn_file_actions_init(&fa);
        if (e != 0)
                return -e;
        for (size_t i = 0; i < n && e == 0; i++)
                e = posix_spawn_file_actions_adddup2(&fa, from[i], to[i]);
        if (e == 0)
                e = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (e == 0)
                e = posix_spawnattr_init(&attr);
        if (e == 0) {
                (void) posix_spawnattr_setsigmask(&attr, &none);
                (void) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
                e = posix_spawn(ret, p11_remote_host_path(), &fa, &attr, argv, environ);
                posix_spawnattr_destroy(&attr);
        }
        posix_spawn_file_actions_destroy(&fa);
        return -e;
}

/* The host gets the module as descriptor 3 and the socket as 4, and
 * nothing else of kartd's (every other descriptor is close-on-exec). Its
 * parent-death signal ends it with this thread. */
static int spawn_host(P11Remote *r, int module_fd, int listen_fd) {
        char *argv[] = { (char *) "kart-p11-host", r->os_locking ? (char *) "--os-locking" : r->name,
                         r->os_locking ? r->name : NULL, NULL };
        const int from[] = { module_fd, listen_fd }, to[] = { HOST_FD_MODULE, HOST_FD_LISTEN };
        pid_t pid;
        int e, pidfd;

        e = p11_remote_spawn(argv, from, to, ELEMENTSOF(from), &pid);
        if (e < 0)
                return e;
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                e = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return e;
        }
        pthread_mutex_lock(&r->lock);
        r->pid = pid;
        r->pidfd = pidfd;
        pthread_mutex_unlock(&r->lock);
        return 0;
}

/* A client instance bound to r's socket, made once. */
static int client_for(P11Remote *r) {
        char address[sizeof r->path + 16];
        int k = 0;

        if (r->f)
                return 0;
        snprintf(address, sizeof address, "unix:path=%s", r->path);
        pthread_mutex_lock(&client_lock);
        if (!client_dl) {
                client_dl = dlopen(P11_KIT_CLIENT_MODULE, RTLD_NOW | RTLD_LOCAL);
                client_get = client_dl ? (CK_C_GetFunctionList) dlsym(client_dl, "C_GetFunctionList") : NULL;
        }
        if (!client_get)
                k = -ENOPKG;
        else if (setenv("P11_KIT_SERVER_ADDRESS", address, 1) < 0)
                k = -errno;
        else if (client_get(&r->f) != CKR_OK || !r->f)
                k = -EIO;
        pthread_mutex_unlock(&client_lock);
        return k;
}

static void disconnect(P11Remote *r) {
        if (r->connected)
                (void) r->f->C_Finalize(NULL);
        r->connected = false;
}

int p11_remote_start(P11Remote *r, int module_fd, CK_FUNCTION_LIST **f, char *error, size_t size) {
        _cleanup_close_ int listen_fd = -1;
        CK_RV rv;
        int k;

        disconnect(r);
        end_host(r);
        k = client_for(r);
        if (k < 0) {
                snprintf(error, size, "cannot use p11-kit's client module %s", P11_KIT_CLIENT_MODULE);
                return k;
        }
        listen_fd = listen_at(r);
        if (listen_fd < 0) {
                snprintf(error, size, "cannot make its host's socket in %s: %s", socket_dir, strerror(-listen_fd));
                return listen_fd;
        }
        k = spawn_host(r, module_fd, listen_fd);
        if (k < 0) {
                snprintf(error, size, "cannot start its host %s: %s", p11_remote_host_path(), strerror(-k));
                return k;
        }
        /* Only the host holds the socket now: if it exits before it
         * accepts, the client's connection is refused, not left waiting. */
        (void) close(listen_fd);
        listen_fd = -1;

        /* Connects; the host answers once the module is loaded. */
        rv = r->f->C_Initialize(NULL);
        if (rv == CKR_OK) {
                r->connected = true;
                *f = r->f;
                return 0;
        }
        /* A host that could not load the module has exited, or is about
         * to: its status says why. */
        if (p11_remote_gone(r, EXIT_WAIT_MSEC * 1000ULL, error, size))
                return -EBADE;
        snprintf(error, size, "its host does not answer (p11-kit's C_Initialize: 0x%lx)", (unsigned long) rv);
        end_host(r);
        return -EBADE;
}

bool p11_remote_gone(P11Remote *r, uint64_t usec, char *why, size_t size) {
        siginfo_t si;

        if (!exited(r, (int) (usec / 1000), &si))
                return false;
        if (why)
                describe_status(si.si_code, si.si_status, why, size);
        return true;
}

void p11_remote_stop(P11Remote *r) {
        if (!r)
                return;
        disconnect(r);          /* the host closes what the client left open */
        end_host(r);
        (void) unlink(r->path);
}

P11Remote *p11_remote_free(P11Remote *r) {
        if (!r)
                return NULL;
        pthread_mutex_destroy(&r->lock);
        free(r->name);
        free(r);
        return NULL;
}

void p11_remote_kill(P11Remote *r) {
        pthread_mutex_lock(&r->lock);
        if (r->pidfd >= 0)
                (void) syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
        pthread_mutex_unlock(&r->lock);
}

int p11_remote_watch(P11Remote *r) {
        int fd;

        pthread_mutex_lock(&r->lock);
        fd = r->pidfd >= 0 ? fcntl(r->pidfd, F_DUPFD_CLOEXEC, 3) : -1;
        if (r->pidfd < 0)
                errno = ESRCH;
        pthread_mutex_unlock(&r->lock);
        return fd < 0 ? -errno : fd;
}

int p11_remote_pid(P11Remote *r) {
        int pid;

        pthread_mutex_lock(&r->lock);
        pid = r->pid;
        pthread_mutex_unlock(&r->lock);
        return pid;
}
