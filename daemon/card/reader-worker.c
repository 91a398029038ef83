/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "reader-worker.h"
#include "transport-pcsc.h"

/* Jobs a reader takes in at once, whatever they are; the engine bounds
 * the callers' PIN calls per card well below (ENGINE_PIN_QUEUE_MAX). */
#define READER_QUEUE_MAX 256

typedef struct Job {
        struct Job *next;
        ReaderJobFunc func;
        ReaderDoneFunc done;
        ReaderJobFlags flags;
        void *userdata;
        void (*free_func)(void *);
        int result;
} Job;

struct ReaderWorker {
        Mailbox *mailbox;
        char *reader;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        Job *head, *tail;
        unsigned n_queued;      /* under lock */
        bool stop;

        SCARDCONTEXT context;   /* the thread's own */
        bool have_context;
        /* New for each instance of the reader: when it is (re)added and
         * when this thread needs a new context (pcscd restarted). The
         * reader's event counter counts within one instance only. */
        uint32_t epoch;         /* __atomic */
};

static void job_free(void *p) {
        Job *j = p;

        if (j->free_func)
                j->free_func(j->userdata);
        free(j);
}

static void job_deliver(void *p) {
        Job *j = p;

        j->done(j->result, j->userdata);
}

static int ensure_context(ReaderWorker *w) {
        LONG rv;

        if (w->have_context)
                return 0;
        rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &w->context);
        if (rv != SCARD_S_SUCCESS)
                return pcsc_error_to_errno(rv);
        w->have_context = true;
        reader_worker_new_instance(w);
        return 0;
}

static void drop_context(ReaderWorker *w) {
        if (w->have_context)
                (void) SCardReleaseContext(w->context);
        w->have_context = false;
}

static int run_once(ReaderWorker *w, Job *j) {
        PcscTransport t;
        CardConn c;
        int r;

        r = ensure_context(w);
        if (r < 0)
                return r;
        r = pcsc_transport_open(&t, w->context, w->reader);
        if (r == -ENODEV) {
                /* pcscd may have restarted since the context was made. */
                drop_context(w);
                r = ensure_context(w);
                if (r < 0)
                        return r;
                r = pcsc_transport_open(&t, w->context, w->reader);
        }
        if (r < 0)
                return r;
        t.base.reader_epoch = __atomic_load_n(&w->epoch, __ATOMIC_SEQ_CST);
        card_conn_init(&c, &t.base);
        r = j->func(&c, j->userdata);
        pcsc_transport_close(&t);
        return r;
}

static void run_job(ReaderWorker *w, Job *j) {
        int r;

        r = run_once(w, j);
        if (r == -ECONNRESET && (j->flags & READER_JOB_RESTART_ON_RESET)) {
                log_debug("Card in %s was reset during an operation; starting over.", w->reader);
                r = run_once(w, j);
        }
        j->result = r;
}

static void *worker_thread(void *userdata) {
        ReaderWorker *w = userdata;

        for (;;) {
                Job *j;
                bool stop;

                pthread_mutex_lock(&w->lock);
                while (!w->head && !w->stop)
                        pthread_cond_wait(&w->cond, &w->lock);
                stop = w->stop;
                j = w->head;
                if (j) {
                        w->n_queued--;
                        w->head = j->next;
                        if (!w->head)
                                w->tail = NULL;
                }
                pthread_mutex_unlock(&w->lock);

                if (!j)
                        break;
                if (stop)
                        j->result = -ECANCELED;
                else
                        run_job(w, j);
                if (mailbox_post(w->mailbox, job_deliver, j, job_free) < 0)
                        job_free(j);
        }
        drop_context(w);
        return NULL;
}

int reader_worker_new(Mailbox *mailbox, const char *reader, ReaderWorker **ret) {
        ReaderWorker *w;
        int r;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->mailbox = mailbox;
        w->reader = strdup(reader);
        if (!w->reader) {
                free(w);
                return -ENOMEM;
        }
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        r = pthread_create(&w->thread, NULL, worker_thread, w);
        if (r != 0) {
                free(w->reader);
                free(w);
                return -r;
        }
        *ret = w;
        return 0;
}

ReaderWorker *reader_worker_free(ReaderWorker *w) {
        if (!w)
                return NULL;
        pthread_mutex_lock(&w->lock);
        w->stop = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w->reader);
        free(w);
        return NULL;
}

int reader_worker_submit(ReaderWorker *w, ReaderJobFunc func, ReaderDoneFunc done,
                         ReaderJobFlags flags, void *userdata, void (*free_func)(void *)) {
        Job *j;

        j = calloc(1, sizeof *j);
        if (!j)
                return -ENOMEM;
        *j = (Job) { .func = func, .done = done, .flags = flags,
                     .userdata = userdata, .free_func = free_func };

        pthread_mutex_lock(&w->lock);
        if (w->n_queued >= READER_QUEUE_MAX) {
                pthread_mutex_unlock(&w->lock);
                free(j);
                return -KART_EBUSY;
        }
        w->n_queued++;
        if (w->tail)
                w->tail->next = j;
        else
                w->head = j;
        w->tail = j;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        return 0;
}

void reader_worker_new_instance(ReaderWorker *w) {
        (void) __atomic_add_fetch(&w->epoch, 1, __ATOMIC_SEQ_CST);
}

const char *reader_worker_name(ReaderWorker *w) {
        return w->reader;
}
