/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "p11-module.h"
#include "strutil.h"

#define P11_STOP_WAIT_SEC 2

#define USEC_PER_SEC 1000000ULL
#define PROBE_EXIT_NOT_PKCS11 3
#define PROBE_EXIT_NO_LIBRARY 4
#define PROBE_EXIT_BAD_LIST 5

extern char **environ;

typedef struct P11Call {
        struct P11Call *next;
        P11Module *module;
        const char *what;       /* for the log: "reading the token" */
        P11CallFunc func;
        TokenDoneFunc done;
        void *userdata;
        void (*free_func)(void *);
        int result;
        bool answered;          /* by the timeout, on the loop */
} P11Call;

struct P11Module {
        char *path, *name, *driver;
        bool os_locking, prefer;
        unsigned timeout_sec;
        Mailbox *mailbox;
        sd_event_source *timer;
        void (*failed)(P11Module *m, void *userdata);
        void (*loaded)(P11Module *m, void *userdata);
        void *userdata;

        /* The loop's. */
        P11State state;
        unsigned pending;       /* submitted, not answered yet */

        /* Shared with the thread, under lock. */
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        P11Call *head, *tail;
        P11Call *running;
        uint64_t running_since; /* CLOCK_MONOTONIC, µs */
        bool stop;
        bool orphaned;          /* the loop is gone: post nothing */

        /* The thread's. */
        void *dl;
        CK_FUNCTION_LIST *f;
        bool initialized;
        char error[256];        /* why loading failed; read on the loop after the load call */
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

char *p11_trim(const unsigned char *field, size_t size) {
        size_t n = strnlen((const char *) field, size);

        while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\0'))
                n--;
        /* The module's bytes go on the bus: valid, printable UTF-8 only. */
        return utf8_sanitize(field, n);
}

int p11_rv_to_errno(CK_RV rv) {
        switch (rv) {
        case CKR_OK:
                return 0;
        case CKR_PIN_INCORRECT:
                return -EKEYREJECTED;
        case CKR_PIN_LOCKED:
                return -EKEYEXPIRED;
        case CKR_PIN_LEN_RANGE:
        case CKR_PIN_INVALID:
                return -EDOM;
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_DEVICE_REMOVED:
        case CKR_SLOT_ID_INVALID:
        case CKR_SESSION_HANDLE_INVALID:
        case CKR_SESSION_CLOSED:
                return -ENOMEDIUM;
        case CKR_TOKEN_NOT_RECOGNIZED:
                return -EMEDIUMTYPE;
        case CKR_HOST_MEMORY:
                return -ENOMEM;
        case CKR_FUNCTION_NOT_SUPPORTED:
                return -KART_ENOTSUPPORTED;
        default:
                return -EIO;
        }
}

static void call_free(void *p) {
        P11Call *c = p;

        if (c->free_func)
                c->free_func(c->userdata);
        free(c);
}

/* While calls are pending, the loop looks at the running one every
 * second; a steady stream of calls does not push the look back. */
static void timer_update(P11Module *m) {
        int enabled = SD_EVENT_OFF;

        if (!m->timer)
                return;
        (void) sd_event_source_get_enabled(m->timer, &enabled);
        if (m->pending == 0)
                (void) sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        else if (enabled == SD_EVENT_OFF) {
                (void) sd_event_source_set_time_relative(m->timer, USEC_PER_SEC);
                (void) sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        }
}

static void call_deliver(void *p) {
        P11Call *c = p;
        P11Module *m = c->module;

        if (c->answered)
                return;         /* timed out before; only its memory is left to free */
        if (m->pending > 0)
                m->pending--;
        timer_update(m);
        c->done(c->result, c->userdata);
}

/* ---- on the module's thread ---- */

static const char *probe_message(int status) {
        if (WIFSIGNALED(status))
                return strsignal(WTERMSIG(status));
        switch (WIFEXITED(status) ? WEXITSTATUS(status) : -1) {
        case PROBE_EXIT_NO_LIBRARY:
                return "it is not a shared object kartd can load";
        case PROBE_EXIT_NOT_PKCS11:
                return "it is not a PKCS#11 module (no C_GetFunctionList)";
        case PROBE_EXIT_BAD_LIST:
                return "its C_GetFunctionList fails or returns an unusable list";
        default:
                return "the probe failed";
        }
}

/* A module that crashes while it is loaded (a constructor, or
 * C_GetFunctionList) would take kartd down: load it first in a child. */
static bool stopping(P11Module *m) {
        bool stop;

        pthread_mutex_lock(&m->lock);
        stop = m->stop;
        pthread_mutex_unlock(&m->lock);
        return stop;
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

/* A module runs with kartd's privileges and sees its PINs: opens the
 * file once, and keeps it only when it is a regular file that no one but
 * root can change, in directories no one but root can change. The file
 * checked is the one loaded (/proc/self/fd/N). Returns the descriptor or
 * -errno with m->error set. */
static int open_module(P11Module *m) {
        _cleanup_close_ int fd = -1;
        char real[PATH_MAX];
        struct stat st, rst;

        fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;

                snprintf(m->error, sizeof m->error, "cannot read it: %s", strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(m->error, sizeof m->error, "it is not a regular file");
                return -EBADE;
        }
        if (!only_root_writes(&st)) {
                snprintf(m->error, sizeof m->error, "the file is not root's alone (owner uid %u, mode %04o)",
                         (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        /* every directory on its way, after links */
        if (!realpath(m->path, real) || stat(real, &rst) < 0 || rst.st_dev != st.st_dev || rst.st_ino != st.st_ino) {
                snprintf(m->error, sizeof m->error, "its path changed while it was checked");
                return -EBADE;
        }
        for (char *slash = strrchr(real, '/'); slash; slash = strrchr(real, '/')) {
                struct stat dst;

                *slash = 0;
                if (stat(real[0] ? real : "/", &dst) < 0 || !only_root_writes(&dst)) {
                        snprintf(m->error, sizeof m->error, "directory %.200s can be changed by users other than root",
                                 real[0] ? real : "/");
                        return -EPERM;
                }
                if (!real[0])
                        break;
        }
        return TAKE_FD(fd);
}

static int probe(P11Module *m, int fd) {
        char path[64];
        char *argv[] = { (char *) "kartd", (char *) "--probe-pkcs11-module", path, m->path, NULL };
        posix_spawn_file_actions_t fa;
        uint64_t deadline = now_usec() + (uint64_t) m->timeout_sec * USEC_PER_SEC / 2;
        posix_spawnattr_t attr;
        sigset_t none;
        int status, r;
        pid_t pid;

        /* kartd blocks SIGTERM and SIGINT for its loop: the child must not
         * inherit that, or it would outlive a stop by them. */
        sigemptyset(&none);
        /* the child loads the file checked, as descriptor 3 */
        snprintf(path, sizeof path, "/proc/self/fd/3");
        r = posix_spawn_file_actions_init(&fa);
        if (r == 0) {
                r = posix_spawn_file_actions_adddup2(&fa, fd, 3);
                if (r == 0)
                        r = posix_spawnattr_init(&attr);
                if (r == 0) {
                        (void) posix_spawnattr_setsigmask(&attr, &none);
                        (void) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
                        r = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, environ);
                        posix_spawnattr_destroy(&attr);
                }
                posix_spawn_file_actions_destroy(&fa);
        }
        if (r != 0) {
                /* No way to probe (no /proc?): load it here, as is. */
                log_debug_errno(r, "Could not probe PKCS#11 module %s in a child: %m", m->path);
                return 0;
        }
        for (;;) {
                r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        break;
                if (r < 0 && errno != EINTR)
                        return -errno;
                /* kartd is stopping: the child goes with it, not left
                 * behind in a module that may never return. */
                if (stopping(m) || now_usec() > deadline) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, &status, 0);
                        snprintf(m->error, sizeof m->error, "loading it did not finish within %u s",
                                 m->timeout_sec / 2);
                        return -ETIMEDOUT;
                }
                (void) usleep(20 * 1000);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        snprintf(m->error, sizeof m->error, "%s%s", WIFSIGNALED(status) ? "loading it crashed: " : "",
                 probe_message(status));
        return -EBADE;
}

/* The function list is the module's memory: check that what kartd calls
 * is there before calling any of it. */
static bool list_usable(const CK_FUNCTION_LIST *f) {
        return f && f->version.major == 2 &&
               f->C_Initialize && f->C_Finalize && f->C_GetInfo && f->C_GetSlotList && f->C_GetSlotInfo &&
               f->C_GetTokenInfo && f->C_OpenSession && f->C_CloseSession && f->C_Login && f->C_Logout &&
               f->C_SetPIN && f->C_FindObjectsInit && f->C_FindObjects && f->C_FindObjectsFinal &&
               f->C_GetAttributeValue;
}

static int load(P11Module *m, CK_FUNCTION_LIST *unused _unused_, void *userdata _unused_) {
        CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
        CK_C_GetFunctionList get;
        CK_INFO info = {};
        CK_RV rv;
        int r;

        _cleanup_close_ int fd = -1;
        char self[64];

        fd = open_module(m);
        if (fd < 0)
                return fd;
        r = probe(m, fd);
        if (r < 0)
                return r;
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        m->dl = dlopen(self, RTLD_NOW | RTLD_LOCAL);
        if (!m->dl) {
                snprintf(m->error, sizeof m->error, "%s", dlerror());
                return -ENOENT;
        }
        get = (CK_C_GetFunctionList) dlsym(m->dl, "C_GetFunctionList");
        if (!get) {
                snprintf(m->error, sizeof m->error, "it is not a PKCS#11 module (no C_GetFunctionList)");
                return -EBADE;
        }
        rv = get(&m->f);
        if (rv != CKR_OK || !list_usable(m->f)) {
                snprintf(m->error, sizeof m->error, "its C_GetFunctionList fails or returns an unusable list");
                m->f = NULL;
                return -EBADE;
        }
        /* NULL by default: one thread calls the module, and some (AKİS)
         * refuse CKF_OS_LOCKING_OK. */
        rv = m->f->C_Initialize(m->os_locking ? &args : NULL);
        if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                /* Another entry of Modules= is the same library (a link to
                 * it): two threads would call a module promised one, and
                 * either one's C_Finalize would pull it from the other. */
                snprintf(m->error, sizeof m->error, "it is loaded already, under another path in Modules=");
                m->f = NULL;
                return -EEXIST;
        }
        if (rv != CKR_OK) {
                snprintf(m->error, sizeof m->error, "C_Initialize failed with 0x%lx%s", (unsigned long) rv,
                         rv == CKR_ARGUMENTS_BAD || rv == CKR_CANT_LOCK
                         ? " (try the module in or out of [PKCS11] OSLocking=)" : "");
                m->f = NULL;
                return -EBADE;
        }
        m->initialized = true;
        if (m->f->C_GetInfo(&info) == CKR_OK) {
                _cleanup_free_ char *maker = p11_trim(info.manufacturerID, sizeof info.manufacturerID);
                _cleanup_free_ char *what = p11_trim(info.libraryDescription, sizeof info.libraryDescription);

                snprintf(m->error, sizeof m->error, "%s, %s %u.%u, Cryptoki %u.%u", strna(what), strna(maker),
                         info.libraryVersion.major, info.libraryVersion.minor,
                         info.cryptokiVersion.major, info.cryptokiVersion.minor);
        }
        return 0;
}

static void unload(P11Module *m) {
        if (m->f && m->initialized)
                (void) m->f->C_Finalize(NULL);
        m->f = NULL;
        if (m->dl)
                (void) dlclose(m->dl);
        m->dl = NULL;
}

static void *module_thread(void *userdata) {
        P11Module *m = userdata;

        for (;;) {
                P11Call *c;

                pthread_mutex_lock(&m->lock);
                while (!m->head && !m->stop)
                        pthread_cond_wait(&m->cond, &m->lock);
                c = m->head;
                if (!c) {
                        pthread_mutex_unlock(&m->lock);
                        break;
                }
                m->head = c->next;
                if (!m->head)
                        m->tail = NULL;
                m->running = c;
                m->running_since = now_usec();
                pthread_mutex_unlock(&m->lock);

                if (c->func == load)
                        c->result = load(m, NULL, c->userdata);
                else if (!m->f)
                        c->result = -ENODEV;
                else
                        c->result = c->func(m, m->f, c->userdata);

                pthread_mutex_lock(&m->lock);
                m->running = NULL;
                /* Under the lock: the loop sets orphaned under it before
                 * the mailbox goes away. */
                if (m->orphaned || mailbox_post(m->mailbox, call_deliver, c, call_free) < 0)
                        call_free(c);   /* the loop is gone: only memory to give back */
                pthread_mutex_unlock(&m->lock);
        }
        unload(m);
        return NULL;
}

int p11_probe_main(const char *path) {
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
        CK_FUNCTION_LIST *f = NULL;
        CK_C_GetFunctionList get;
        void *dl;

        /* A crash is to end this child by its signal, which kartd names,
         * even where a handler (a sanitizer's) would turn it into an exit. */
        for (size_t i = 0; i < ELEMENTSOF(fatal); i++)
                (void) signal(fatal[i], SIG_DFL);
        dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return PROBE_EXIT_NO_LIBRARY;
        get = (CK_C_GetFunctionList) dlsym(dl, "C_GetFunctionList");
        if (!get)
                return PROBE_EXIT_NOT_PKCS11;
        if (get(&f) != CKR_OK || !list_usable(f))
                return PROBE_EXIT_BAD_LIST;
        return 0;
}

/* ---- on the loop ---- */

/* victim and queued were taken from the thread under its lock, victim
 * marked answered: the thread frees it, if it ever comes back. */
static void module_hung(P11Module *m, P11Call *victim, P11Call *queued) {
        log_error("PKCS#11 module %s did not answer within %u s (%s); no longer using it, "
                  "its cards are unavailable.", m->path, m->timeout_sec, victim->what);
        m->state = P11_HUNG;
        m->pending = 0;
        timer_update(m);

        victim->done(-ETIMEDOUT, victim->userdata);
        while (queued) {
                P11Call *next = queued->next;

                queued->done(-ETIMEDOUT, queued->userdata);
                call_free(queued);
                queued = next;
        }
        if (m->failed)
                m->failed(m, m->userdata);
}

static int on_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        P11Module *m = userdata;
        P11Call *victim = NULL, *queued = NULL;

        /* One look under the lock: the call judged is the one given up. */
        pthread_mutex_lock(&m->lock);
        if (m->running && !m->running->answered &&
            now_usec() - m->running_since > (uint64_t) m->timeout_sec * USEC_PER_SEC) {
                victim = m->running;
                victim->answered = true;
                queued = m->head;
                m->head = m->tail = NULL;
        }
        pthread_mutex_unlock(&m->lock);
        if (victim)
                module_hung(m, victim, queued);
        else if (m->pending > 0) {
                (void) sd_event_source_set_time_relative(m->timer, USEC_PER_SEC);
                (void) sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        }
        return 0;
}

static int submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                  void *userdata, void (*free_func)(void *)) {
        P11Call *c;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (P11Call) { .module = m, .what = what, .func = func, .done = done,
                         .userdata = userdata, .free_func = free_func };
        pthread_mutex_lock(&m->lock);
        if (m->tail)
                m->tail->next = c;
        else
                m->head = c;
        m->tail = c;
        pthread_cond_signal(&m->cond);
        pthread_mutex_unlock(&m->lock);
        m->pending++;
        timer_update(m);
        return 0;
}

#define P11_QUEUE_MAX 256

int p11_module_submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                      void *userdata, void (*free_func)(void *)) {
        if (m->state == P11_HUNG)
                return -ETIMEDOUT;
        if (m->state == P11_FAILED)
                return -ENODEV;
        if (m->pending >= P11_QUEUE_MAX)
                return -KART_EBUSY;     /* the engine bounds PIN calls per card well below */
        return submit(m, what, func, done, userdata, free_func);
}

static void load_done(int result, void *userdata) {
        P11Module *m = userdata;

        if (m->state == P11_HUNG)
                return;         /* said so already */
        if (result < 0) {
                m->state = P11_FAILED;
                log_warning("PKCS#11 module %s: %s; not using it.", m->path,
                            m->error[0] ? m->error : strerror(-result));
        } else {
                m->state = P11_READY;
                log_info("PKCS#11 module %s loaded: %s.", m->path, m->error);
        }
        if (m->loaded)
                m->loaded(m, m->userdata);
}

int p11_module_new(Mailbox *mailbox, sd_event *event, const Pkcs11ModuleConfig *config, unsigned timeout_sec,
                   void (*failed)(P11Module *m, void *userdata), void (*loaded)(P11Module *m, void *userdata),
                   void *userdata, P11Module **ret) {
        const char *base = strrchr(config->path, '/') ? strrchr(config->path, '/') + 1 : config->path;
        P11Module *m;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *m = (P11Module) { .os_locking = config->os_locking, .prefer = config->prefer,
                           .timeout_sec = MAX(timeout_sec, 1u), .mailbox = mailbox, .failed = failed,
                           .loaded = loaded, .userdata = userdata, .state = P11_LOADING };
        m->path = strdup(config->path);
        m->name = strdup(base);
        if (!m->path || !m->name || asprintf(&m->driver, "pkcs11:%s", base) < 0) {
                m->driver = NULL;
                r = -ENOMEM;
                goto fail;
        }
        r = sd_event_add_time_relative(event, &m->timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0, on_timer, m);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        pthread_mutex_init(&m->lock, NULL);
        pthread_cond_init(&m->cond, NULL);
        r = -pthread_create(&m->thread, NULL, module_thread, m);
        if (r < 0) {
                pthread_mutex_destroy(&m->lock);
                pthread_cond_destroy(&m->cond);
                goto fail;
        }
        r = submit(m, "loading it", load, load_done, m, NULL);
        if (r < 0) {
                p11_module_free(m);
                return r;
        }
        *ret = m;
        return 0;
fail:
        sd_event_source_unref(m->timer);
        free(m->path);
        free(m->name);
        free(m->driver);
        free(m);
        return r;
}

void p11_module_stop(P11Module *m) {
        if (!m)
                return;
        m->timer = sd_event_source_disable_unref(m->timer);
        pthread_mutex_lock(&m->lock);
        if (!m->stop) {
                m->stop = true;
                m->orphaned = true;
                /* Queued calls are not run: their memory goes with the loop. */
                for (P11Call *c = m->head, *next; c; c = next) {
                        next = c->next;
                        call_free(c);
                }
                m->head = m->tail = NULL;
                pthread_cond_signal(&m->cond);
        }
        pthread_mutex_unlock(&m->lock);
}

P11Module *p11_module_free_until(P11Module *m, const struct timespec *until) {
        bool joined = false;

        if (!m)
                return NULL;
        p11_module_stop(m);
        if (m->state != P11_HUNG)
                joined = pthread_timedjoin_np(m->thread, NULL, until) == 0;
        if (!joined) {
                /* Stuck in the module: leave it be; the process is on its
                 * way out. The thread still reads m. */
                log_warning("PKCS#11 module %s is still busy; not waiting for it.", m->path);
                (void) pthread_detach(m->thread);
                return NULL;
        }
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        free(m->path);
        free(m->name);
        free(m->driver);
        free(m);
        return NULL;
}

P11Module *p11_module_free(P11Module *m) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += P11_STOP_WAIT_SEC;
        return p11_module_free_until(m, &until);
}

bool p11_module_busy(P11Module *m) {
        bool busy;

        if (m->state == P11_HUNG)
                return true;
        pthread_mutex_lock(&m->lock);
        busy = m->running || m->head;
        pthread_mutex_unlock(&m->lock);
        return busy;
}

P11State p11_module_state(const P11Module *m) { return m->state; }
const char *p11_module_name(const P11Module *m) { return m->name; }
const char *p11_module_driver(const P11Module *m) { return m->driver; }
bool p11_module_prefer(const P11Module *m) { return m->prefer; }
