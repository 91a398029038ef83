/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "p11-module.h"
#include "p11-remote.h"
#include "strutil.h"

#define P11_STOP_WAIT_SEC 2
#define USEC_PER_SEC 1000000ULL
/* After a call failed: how long its host may take to show it died. */
#define HOST_GONE_WAIT_USEC (200 * 1000ULL)
/* A host that ran this long before it ended counts as a fresh start:
 * the backoff begins again. */
#define HOST_STABLE_USEC (60 * USEC_PER_SEC)
/* Restarts in a row (1, 2, 4, 8, 16 s apart) before the module is given up. */
#define HOST_RESTARTS_MAX 5

typedef struct P11Call {
        struct P11Call *next;
        P11Module *module;
        const char *what;       /* for the log: "reading the token" */
        P11CallFunc func;
        TokenDoneFunc done;
        void *userdata;
        void (*free_func)(void *);
        bool internal;          /* starting or ending the host: func gets no list */
        int result;
        bool host_gone;         /* the call failed as the host died; why says how */
        char why[160];
        bool answered;          /* by the timeout, on the loop */
} P11Call;

struct P11Module {
        char *path, *name, *driver;
        bool prefer;
        unsigned timeout_sec;
        Mailbox *mailbox;
        sd_event *event;
        sd_event_source *timer;
        sd_event_source *exit_watch;    /* the host's pidfd */
        sd_event_source *restart_timer;
        void (*failed)(P11Module *m, void *userdata);
        void (*loaded)(P11Module *m, void *userdata);
        void *userdata;
        P11Remote *remote;      /* its own lock: the loop kills, the thread calls */

        /* The loop's. */
        P11State state;
        unsigned pending;       /* submitted, not answered yet */
        unsigned restarts;      /* in a row */
        uint64_t started_usec, killed_usec;

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
        CK_FUNCTION_LIST *f;    /* p11-kit's client, connected to the host */
        char error[256];        /* why starting failed; read on the loop after the start call */
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

static void host_lost(P11Module *m, const char *why);

static void call_deliver(void *p) {
        P11Call *c = p;
        P11Module *m = c->module;

        if (c->answered)
                return;         /* timed out before; only its memory is left to free */
        if (m->pending > 0)
                m->pending--;
        timer_update(m);
        if (c->host_gone && m->state == P11_READY)
                host_lost(m, c->why);
        if (c->done)
                c->done(c->result, c->userdata);
}

/* ---- on the module's thread ---- */

/* Starts (or restarts) the module's host and connects to it. */
static int host_start(P11Module *m, CK_FUNCTION_LIST *unused _unused_, void *userdata _unused_) {
        _cleanup_close_ int fd = -1;
        CK_FUNCTION_LIST *f = NULL;
        CK_INFO info = {};
        int r;

        m->f = NULL;
        fd = p11_remote_open_module(m->path, m->error, sizeof m->error);
        if (fd < 0)
                return fd;
        r = p11_remote_start(m->remote, fd, &f, m->error, sizeof m->error);
        if (r < 0)
                return r;
        m->f = f;
        m->error[0] = 0;
        if (f->C_GetInfo(&info) == CKR_OK) {
                _cleanup_free_ char *maker = p11_trim(info.manufacturerID, sizeof info.manufacturerID);
                _cleanup_free_ char *what = p11_trim(info.libraryDescription, sizeof info.libraryDescription);

                snprintf(m->error, sizeof m->error, "%s, %s %u.%u, Cryptoki %u.%u", strna(what), strna(maker),
                         info.libraryVersion.major, info.libraryVersion.minor,
                         info.cryptokiVersion.major, info.cryptokiVersion.minor);
        }
        return 0;
}

/* Given up: the host is ended and reaped, the client let go of. */
static int host_end(P11Module *m, CK_FUNCTION_LIST *unused _unused_, void *userdata _unused_) {
        p11_remote_stop(m->remote);
        m->f = NULL;
        return 0;
}

static void run_call(P11Module *m, P11Call *c) {
        if (c->internal) {
                c->result = c->func(m, NULL, c->userdata);
                return;
        }
        if (!m->f) {
                c->result = -ENODEV;
                return;
        }
        c->result = c->func(m, m->f, c->userdata);
        /* A job during which the host died is answered as such, even one
         * that got by without what failed (certificates are optional to
         * reading a token): the module may or may not have done it, and
         * it is not tried again (a PIN try is never spent twice). A call
         * that failed may have failed with the host: its end may take a
         * moment to show. */
        if (p11_remote_gone(m->remote, c->result < 0 ? HOST_GONE_WAIT_USEC : 0, c->why, sizeof c->why)) {
                c->host_gone = true;
                c->result = -ECONNRESET;
        }
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

                run_call(m, c);

                pthread_mutex_lock(&m->lock);
                m->running = NULL;
                /* Under the lock: the loop sets orphaned under it before
                 * the mailbox goes away. */
                if (m->orphaned || mailbox_post(m->mailbox, call_deliver, c, call_free) < 0)
                        call_free(c);   /* the loop is gone: only memory to give back */
                pthread_mutex_unlock(&m->lock);
        }
        p11_remote_stop(m->remote);
        m->f = NULL;
        return NULL;
}

/* ---- on the loop ---- */

static int submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                  void *userdata, void (*free_func)(void *), bool internal) {
        P11Call *c;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (P11Call) { .module = m, .what = what, .func = func, .done = done,
                         .userdata = userdata, .free_func = free_func, .internal = internal };
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

/* The calls waiting behind one that failed with the host: answered now,
 * never run against a host that is gone. */
static void answer_queued(P11Module *m, P11Call *queued, int result) {
        while (queued) {
                P11Call *next = queued->next;

                if (m->pending > 0)
                        m->pending--;
                if (queued->done)
                        queued->done(result, queued->userdata);
                call_free(queued);
                queued = next;
        }
        timer_update(m);
}

static P11Call *take_queued(P11Module *m) {
        P11Call *queued;

        pthread_mutex_lock(&m->lock);
        queued = m->head;
        m->head = m->tail = NULL;
        pthread_mutex_unlock(&m->lock);
        return queued;
}

static int on_host_exit(sd_event_source *s _unused_, int fd, uint32_t revents _unused_, void *userdata) {
        P11Module *m = userdata;
        char why[160];

        p11_remote_describe_exit(fd, why, sizeof why);
        host_lost(m, why);
        return 0;
}

/* The loop learns of the host's end even when no call is running. */
static void host_watch(P11Module *m) {
        int fd = p11_remote_watch(m->remote);

        m->exit_watch = sd_event_source_disable_unref(m->exit_watch);
        if (fd < 0 || sd_event_add_io(m->event, &m->exit_watch, fd, EPOLLIN, on_host_exit, m) < 0) {
                log_warning("PKCS#11 module %s: cannot watch its host; a crash shows at its next call.", m->path);
                if (fd >= 0)
                        (void) close(fd);
                return;
        }
        (void) sd_event_source_set_io_fd_own(m->exit_watch, true);
}

static void start_done(int result, void *userdata);

static int on_restart(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        P11Module *m = userdata;
        bool stuck;

        /* The thread is to come back from the call its host was killed
         * in; if it does not, it is left behind (and no host started). */
        pthread_mutex_lock(&m->lock);
        stuck = m->running && m->running->answered;
        pthread_mutex_unlock(&m->lock);
        if (stuck) {
                if (now_usec() - m->killed_usec < (uint64_t) m->timeout_sec * USEC_PER_SEC) {
                        (void) sd_event_source_set_time_relative(m->restart_timer, USEC_PER_SEC);
                        (void) sd_event_source_set_enabled(m->restart_timer, SD_EVENT_ONESHOT);
                        return 0;
                }
                log_error("PKCS#11 module %s: its thread did not come back from the module even after its host "
                          "was ended; no longer using it.", m->path);
                m->state = P11_HUNG;
                return 0;
        }
        if (submit(m, "restarting its host", host_start, start_done, m, NULL, true) < 0) {
                log_oom();
                m->state = P11_FAILED;
        }
        return 0;
}

/* The host ended (crashed, or was killed because a call hung), or a
 * restart failed: the module's cards are unavailable until a new host
 * runs, after a backoff; a module whose hosts keep ending is given up. */
static void host_lost(P11Module *m, const char *why) {
        bool was_ready = m->state == P11_READY;
        int r;

        if (!was_ready && m->state != P11_RESTARTING)
                return;
        m->exit_watch = sd_event_source_disable_unref(m->exit_watch);
        if (was_ready && now_usec() - m->started_usec >= HOST_STABLE_USEC)
                m->restarts = 0;
        m->state = P11_RESTARTING;
        answer_queued(m, take_queued(m), -ECONNRESET);

        if (m->restarts >= HOST_RESTARTS_MAX) {
                log_error("PKCS#11 module %s: %s; its host ended %u times in a row, no longer using the module.",
                          m->path, why, m->restarts + 1);
                m->state = P11_FAILED;
                if (submit(m, "ending its host", host_end, NULL, NULL, NULL, true) < 0)
                        log_oom();
        } else {
                uint64_t delay = USEC_PER_SEC << m->restarts;

                log_warning("PKCS#11 module %s: %s; its cards are unavailable until its host is restarted, "
                            "in %u s.", m->path, why, 1u << m->restarts);
                m->restarts++;
                r = sd_event_source_set_time_relative(m->restart_timer, delay);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->restart_timer, SD_EVENT_ONESHOT);
                if (r < 0) {
                        log_error_errno(r, "PKCS#11 module %s: cannot schedule its restart: %m", m->path);
                        m->state = P11_FAILED;
                }
        }
        if (was_ready && m->failed)
                m->failed(m, m->userdata);
}

/* A call took longer than CallTimeoutSec: its host is killed, which
 * brings the thread back; the calls are answered now. victim and queued
 * were taken under the lock, victim marked answered: the thread frees it
 * when it comes back. */
static void module_hung(P11Module *m, P11Call *victim, P11Call *queued) {
        char why[160];

        snprintf(why, sizeof why, "it did not answer within %u s (%s)", m->timeout_sec, victim->what);
        p11_remote_kill(m->remote);
        m->killed_usec = now_usec();
        if (m->pending > 0)
                m->pending--;
        if (victim->done)
                victim->done(-ETIMEDOUT, victim->userdata);
        answer_queued(m, queued, -ETIMEDOUT);
        if (!victim->internal)
                host_lost(m, why);
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

#define P11_QUEUE_MAX 256

int p11_module_submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                      void *userdata, void (*free_func)(void *)) {
        switch (m->state) {
        case P11_HUNG:
                return -ETIMEDOUT;
        case P11_FAILED:
                return -ENODEV;
        case P11_RESTARTING:
                return -ECONNRESET;
        default:
                break;
        }
        if (m->pending >= P11_QUEUE_MAX)
                return -KART_EBUSY;     /* the engine bounds PIN calls per card well below */
        return submit(m, what, func, done, userdata, free_func, false);
}

/* The first start, or a restart, finished. */
static void start_done(int result, void *userdata) {
        P11Module *m = userdata;
        bool first = m->state == P11_LOADING;
        char why[sizeof m->error + 32];

        if (m->state != P11_LOADING && m->state != P11_RESTARTING)
                return;
        if (result == -ETIMEDOUT)       /* the thread may still write m->error */
                snprintf(why, sizeof why, "loading it did not finish within %u s", m->timeout_sec);
        else if (result < 0)
                snprintf(why, sizeof why, "%s", m->error[0] ? m->error : strerror(-result));
        if (result < 0 && !first)
                return host_lost(m, why);
        if (result < 0) {
                m->state = P11_FAILED;
                log_warning("PKCS#11 module %s: %s; not using it.", m->path, why);
                if (result == -ETIMEDOUT && submit(m, "ending its host", host_end, NULL, NULL, NULL, true) < 0)
                        log_oom();
        } else {
                m->state = P11_READY;
                m->started_usec = now_usec();
                host_watch(m);
                if (first)
                        log_info("PKCS#11 module %s loaded in its host (PID %d): %s.", m->path,
                                 p11_remote_pid(m->remote), m->error);
                else
                        log_info("PKCS#11 module %s: its host was restarted (PID %d); reading its cards again.",
                                 m->path, p11_remote_pid(m->remote));
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
        *m = (P11Module) { .prefer = config->prefer, .timeout_sec = MAX(timeout_sec, 1u), .mailbox = mailbox,
                           .event = event, .failed = failed, .loaded = loaded, .userdata = userdata,
                           .state = P11_LOADING };
        m->path = strdup(config->path);
        m->name = strdup(base);
        if (!m->path || !m->name || asprintf(&m->driver, "pkcs11:%s", base) < 0) {
                m->driver = NULL;
                r = -ENOMEM;
                goto fail;
        }
        r = p11_remote_new(base, config->os_locking, &m->remote);
        if (r < 0)
                goto fail;
        r = sd_event_add_time_relative(event, &m->timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0, on_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time_relative(event, &m->restart_timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0,
                                               on_restart, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->restart_timer, SD_EVENT_OFF);
        if (r < 0)
                goto fail;
        pthread_mutex_init(&m->lock, NULL);
        pthread_cond_init(&m->cond, NULL);
        r = -pthread_create(&m->thread, NULL, module_thread, m);
        if (r < 0) {
                pthread_mutex_destroy(&m->lock);
                pthread_cond_destroy(&m->cond);
                goto fail;
        }
        r = submit(m, "loading it", host_start, start_done, m, NULL, true);
        if (r < 0) {
                p11_module_free(m);
                return r;
        }
        *ret = m;
        return 0;
fail:
        sd_event_source_unref(m->timer);
        sd_event_source_unref(m->restart_timer);
        p11_remote_free(m->remote);
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
        m->restart_timer = sd_event_source_disable_unref(m->restart_timer);
        m->exit_watch = sd_event_source_disable_unref(m->exit_watch);
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

static void module_destroy(P11Module *m) {
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        p11_remote_free(m->remote);
        free(m->path);
        free(m->name);
        free(m->driver);
        free(m);
}

bool p11_module_free_until(P11Module *m, const struct timespec *until) {
        struct timespec after_kill;

        if (!m)
                return false;
        p11_module_stop(m);
        if (m->state != P11_HUNG && pthread_timedjoin_np(m->thread, NULL, until) == 0) {
                module_destroy(m);
                return false;
        }
        /* Still in a call past the deadline: its host is ended, which
         * brings the thread back. */
        if (m->state != P11_HUNG) {
                p11_remote_kill(m->remote);
                clock_gettime(CLOCK_REALTIME, &after_kill);
                after_kill.tv_sec += 1;
                if (pthread_timedjoin_np(m->thread, NULL, &after_kill) == 0) {
                        module_destroy(m);
                        return NULL;
                }
        }
        /* Stuck in the module for good: the process is on its way out,
         * and the thread still reads m. */
        log_warning("PKCS#11 module %s is still busy; not waiting for it.", m->path);
        (void) pthread_detach(m->thread);
        return true;
}

P11Module *p11_module_free(P11Module *m) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += P11_STOP_WAIT_SEC;
        (void) p11_module_free_until(m, &until);
        return NULL;
}

P11State p11_module_state(const P11Module *m) { return m->state; }
const char *p11_module_name(const P11Module *m) { return m->name; }
const char *p11_module_driver(const P11Module *m) { return m ? m->driver : NULL; }  /* NULL: a token of the tests */
bool p11_module_prefer(const P11Module *m) { return m->prefer; }
