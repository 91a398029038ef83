/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "mailbox.h"
#include "card-driver.h"

/* One thread per reader runs that reader's card operations, one at a time,
 * each inside its own PC/SC connection and transaction; the result goes
 * back to the loop through the mailbox. Jobs on one reader therefore never
 * interleave, and a slow card never delays the loop or another reader. */

typedef struct ReaderWorker ReaderWorker;

/* Runs on the worker thread with the card connected, the transaction
 * held and the card's driver chosen by its ATR. Returns 0 or -errno. */
typedef int (*ReaderJobFunc)(CardConn *c, void *userdata);
/* Runs on the loop with the job's result. */
typedef void (*ReaderDoneFunc)(int result, void *userdata);

typedef enum ReaderJobFlags {
        /* The job may start over from scratch after the card was reset by
         * another application (only for jobs that change nothing). */
        READER_JOB_RESTART_ON_RESET = 1 << 0,
} ReaderJobFlags;

int reader_worker_new(Mailbox *mailbox, const char *reader, ReaderWorker **ret);
/* Finishes the current job, cancels the queued ones (done gets
 * -ECANCELED) and joins the thread. */
ReaderWorker *reader_worker_free(ReaderWorker *w);

/* userdata is owned by the worker from now on; free_func runs after done.
 * -KART_EBUSY (userdata not taken) when the reader has too many jobs. */
int reader_worker_submit(ReaderWorker *w, ReaderJobFunc job, ReaderDoneFunc done,
                         ReaderJobFlags flags, void *userdata, void (*free_func)(void *));

const char *reader_worker_name(ReaderWorker *w);
/* The reader was (re)added: what jobs saw of its cards before belongs to
 * another instance of it (Transport's reader_epoch). Any thread. */
void reader_worker_new_instance(ReaderWorker *w);
