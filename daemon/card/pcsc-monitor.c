/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <winscard.h>

#include "log.h"
#include "macro.h"
#include "pcsc-monitor.h"

#define PNP_READER "\\\\?PnP?\\Notification"
#define MAX_READERS 16
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

struct PcscMonitor {
        Mailbox *mailbox;
        PcscMonitorCallback callback;
        void *userdata;

        pthread_t thread;
        atomic_bool stop;
        int stop_fd;

        pthread_mutex_t lock;   /* guards context for SCardCancel */
        SCARDCONTEXT context;
        bool have_context;
};

typedef struct Delivery {
        PcscMonitor *monitor;
        PcscSnapshot snapshot;
} Delivery;

const char *pcsc_socket_path(void) {
        const char *e = getenv("PCSCLITE_CSOCK_NAME");

        return e && *e ? e : "/run/pcscd/pcscd.comm";
}

const char *pcsc_strerror(long rv) {
        return pcsc_stringify_error((LONG) rv);
}

static void snapshot_done(PcscSnapshot *s) {
        for (size_t i = 0; i < s->n_readers; i++)
                free(s->readers[i].name);
        free(s->readers);
        *s = (PcscSnapshot) {};
}

static void delivery_free(void *userdata) {
        Delivery *d = userdata;

        snapshot_done(&d->snapshot);
        free(d);
}

static void delivery_run(void *userdata) {
        Delivery *d = userdata;

        d->monitor->callback(&d->snapshot, d->monitor->userdata);
}

static void post_snapshot(PcscMonitor *m, bool service, const SCARD_READERSTATE *states, size_t n) {
        Delivery *d;

        d = calloc(1, sizeof *d);
        if (!d)
                goto oom;
        d->monitor = m;
        d->snapshot.service = service;
        if (n > 0) {
                d->snapshot.readers = calloc(n, sizeof(PcscReaderState));
                if (!d->snapshot.readers)
                        goto oom;
        }
        for (size_t i = 0; i < n; i++) {
                PcscReaderState *r = &d->snapshot.readers[i];
                DWORD ev = states[i].dwEventState;

                r->name = strdup(states[i].szReader);
                if (!r->name)
                        goto oom;
                d->snapshot.n_readers++;
                r->present = ev & SCARD_STATE_PRESENT;
                r->mute = ev & SCARD_STATE_MUTE;
                r->event_count = (unsigned) (ev >> 16);
                if (r->present && !r->mute) {
                        r->atr_len = MIN(states[i].cbAtr, (DWORD) PCSC_MAX_ATR);
                        memcpy(r->atr, states[i].rgbAtr, r->atr_len);
                }
        }
        if (mailbox_post(m->mailbox, delivery_run, d, delivery_free) < 0)
                goto oom;
        return;
oom:
        if (d)
                delivery_free(d);
        log_error("PC/SC monitor: out of memory, dropping a reader update.");
}

/* Waits until pcscd's socket is (re)created or the backoff expires, or
 * until stop is requested. */
static void wait_for_service(PcscMonitor *m, int *backoff_ms) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int ifd = -1;
        struct pollfd p[2];
        int n = 0;

        dir = strdup(pcsc_socket_path());
        ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (dir && ifd >= 0 &&
            inotify_add_watch(ifd, dirname(dir), IN_CREATE | IN_MOVED_TO | IN_ATTRIB) >= 0)
                p[n++] = (struct pollfd) { .fd = ifd, .events = POLLIN };
        p[n++] = (struct pollfd) { .fd = m->stop_fd, .events = POLLIN };

        (void) poll(p, n, *backoff_ms);
        *backoff_ms = MIN(*backoff_ms * 2, BACKOFF_MAX_MS);
}

static int list_readers(SCARDCONTEXT ctx, SCARD_READERSTATE *states, size_t *n) {
        _cleanup_free_ char *buf = NULL;
        DWORD len = 0;
        LONG rv;
        size_t old_n = *n, k = 0;
        SCARD_READERSTATE *old;

        rv = SCardListReaders(ctx, NULL, NULL, &len);
        if (rv == (LONG) SCARD_E_NO_READERS_AVAILABLE)
                len = 0;
        else if (rv != SCARD_S_SUCCESS)
                return -(int) ECONNRESET;
        if (len > 0) {
                buf = malloc(len);
                if (!buf)
                        return -ENOMEM;
                rv = SCardListReaders(ctx, NULL, buf, &len);
                if (rv == (LONG) SCARD_E_NO_READERS_AVAILABLE)
                        len = 0;
                else if (rv != SCARD_S_SUCCESS)
                        return -ECONNRESET;
        }

        /* Keep the known state of readers that are still there, so that the
         * next wait does not report them as changed. */
        old = calloc(old_n ? old_n : 1, sizeof *old);
        if (!old)
                return -ENOMEM;
        memcpy(old, states, old_n * sizeof *old);

        for (const char *p = buf; p && len > 0 && *p && k < MAX_READERS; p += strlen(p) + 1) {
                SCARD_READERSTATE s = { .szReader = NULL, .dwCurrentState = SCARD_STATE_UNAWARE };

                for (size_t i = 0; i < old_n; i++)
                        if (old[i].szReader && streq(old[i].szReader, p)) {
                                s = old[i];
                                old[i].szReader = NULL;
                                break;
                        }
                if (!s.szReader) {
                        s.szReader = strdup(p);
                        if (!s.szReader)
                                break;
                }
                states[k++] = s;
        }
        for (size_t i = 0; i < old_n; i++)
                free((char *) old[i].szReader);
        free(old);
        *n = k;
        return 0;
}

static void release_context(PcscMonitor *m, SCARD_READERSTATE *states, size_t *n) {
        pthread_mutex_lock(&m->lock);
        if (m->have_context)
                (void) SCardReleaseContext(m->context);
        m->have_context = false;
        pthread_mutex_unlock(&m->lock);

        for (size_t i = 0; i < *n; i++)
                free((char *) states[i].szReader);
        *n = 0;
}

static void *monitor_thread(void *userdata) {
        PcscMonitor *m = userdata;
        SCARD_READERSTATE states[MAX_READERS + 1] = {};
        size_t n = 0;
        DWORD pnp_state = SCARD_STATE_UNAWARE;
        bool relist = true, announced_down = false;
        int backoff_ms = BACKOFF_MIN_MS;

        while (!atomic_load(&m->stop)) {
                SCARDCONTEXT ctx;
                LONG rv;

                if (!m->have_context) {
                        rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
                        if (rv != SCARD_S_SUCCESS) {
                                if (!announced_down) {
                                        log_info("pcscd is not available (%s), waiting for it.",
                                                 pcsc_strerror(rv));
                                        post_snapshot(m, false, NULL, 0);
                                        announced_down = true;
                                }
                                wait_for_service(m, &backoff_ms);
                                continue;
                        }
                        pthread_mutex_lock(&m->lock);
                        m->context = ctx;
                        m->have_context = true;
                        pthread_mutex_unlock(&m->lock);
                        if (announced_down)
                                log_info("pcscd is available again.");
                        announced_down = false;
                        backoff_ms = BACKOFF_MIN_MS;
                        pnp_state = SCARD_STATE_UNAWARE;
                        relist = true;
                }

                if (relist) {
                        int r = list_readers(m->context, states, &n);
                        if (r < 0) {
                                release_context(m, states, &n);
                                continue;
                        }
                        relist = false;
                }

                states[n] = (SCARD_READERSTATE) {
                        .szReader = PNP_READER,
                        .dwCurrentState = pnp_state,
                };
                rv = SCardGetStatusChange(m->context, INFINITE, states, (DWORD) n + 1);
                if (rv == (LONG) SCARD_E_CANCELLED || atomic_load(&m->stop))
                        break;
                if (rv == (LONG) SCARD_E_TIMEOUT)
                        continue;
                if (rv == (LONG) SCARD_E_UNKNOWN_READER) {
                        /* A reader vanished between listing and waiting. */
                        relist = true;
                        continue;
                }
                if (rv != SCARD_S_SUCCESS) {
                        log_info("Lost pcscd (%s).", pcsc_strerror(rv));
                        release_context(m, states, &n);
                        post_snapshot(m, false, NULL, 0);
                        announced_down = true;
                        continue;
                }

                if (states[n].dwEventState & SCARD_STATE_CHANGED) {
                        /* Reader list changed: list again and report. */
                        pnp_state = states[n].dwEventState & ~SCARD_STATE_CHANGED;
                        relist = true;
                }
                for (size_t i = 0; i < n; i++)
                        states[i].dwCurrentState = states[i].dwEventState & ~SCARD_STATE_CHANGED;
                if (relist) {
                        if (list_readers(m->context, states, &n) < 0) {
                                release_context(m, states, &n);
                                continue;
                        }
                        relist = false;
                        /* New readers have UNAWARE state: the next wait returns
                         * at once with their state, which is posted then. */
                        bool fresh = false;
                        for (size_t i = 0; i < n; i++)
                                fresh = fresh || states[i].dwCurrentState == SCARD_STATE_UNAWARE;
                        if (fresh)
                                continue;
                }
                post_snapshot(m, true, states, n);
        }

        release_context(m, states, &n);
        return NULL;
}

int pcsc_monitor_start(Mailbox *mailbox, PcscMonitorCallback callback, void *userdata,
                       PcscMonitor **ret) {
        _cleanup_free_ PcscMonitor *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->mailbox = mailbox;
        m->callback = callback;
        m->userdata = userdata;
        pthread_mutex_init(&m->lock, NULL);
        m->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m->stop_fd < 0)
                return negative_errno();

        r = pthread_create(&m->thread, NULL, monitor_thread, m);
        if (r != 0) {
                close(m->stop_fd);
                return -r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

PcscMonitor *pcsc_monitor_stop(PcscMonitor *m) {
        static const uint64_t one = 1;

        if (!m)
                return NULL;

        atomic_store(&m->stop, true);
        (void) !write(m->stop_fd, &one, sizeof one);
        /* A cancel sent just before the thread enters the wait is lost, so
         * repeat it until the thread is gone. */
        for (;;) {
                struct timespec ts;

                pthread_mutex_lock(&m->lock);
                if (m->have_context)
                        (void) SCardCancel(m->context);
                pthread_mutex_unlock(&m->lock);

                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 100 * 1000 * 1000;
                if (ts.tv_nsec >= 1000000000L) {
                        ts.tv_sec++;
                        ts.tv_nsec -= 1000000000L;
                }
                if (pthread_timedjoin_np(m->thread, NULL, &ts) == 0)
                        break;
        }
        close(m->stop_fd);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
}
