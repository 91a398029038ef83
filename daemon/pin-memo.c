/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pin-memo.h"

typedef struct MemoEntry {
        char *serial;           /* NULL: free */
        PinStatus status;
        uint64_t used;          /* the memo's clock when last stored or loaded */
} MemoEntry;

struct PinMemo {
        pthread_mutex_t lock;
        MemoEntry entries[PIN_MEMO_MAX];
        uint64_t clock;
};

PinMemo *pin_memo_new(void) {
        PinMemo *m = calloc(1, sizeof *m);

        if (m)
                pthread_mutex_init(&m->lock, NULL);
        return m;
}

PinMemo *pin_memo_free(PinMemo *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < PIN_MEMO_MAX; i++)
                free(m->entries[i].serial);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
}

static MemoEntry *find(PinMemo *m, const char *serial) {
        for (size_t i = 0; i < PIN_MEMO_MAX; i++)
                if (m->entries[i].serial && streq(m->entries[i].serial, serial))
                        return &m->entries[i];
        return NULL;
}

void pin_memo_store(PinMemo *m, const char *serial, const PinStatus *status) {
        MemoEntry *e;

        if (!serial)
                return;
        pthread_mutex_lock(&m->lock);
        e = find(m, serial);
        if (!e) {
                /* a free entry, else the least recently used one */
                e = &m->entries[0];
                for (size_t i = 0; i < PIN_MEMO_MAX && e->serial; i++)
                        if (!m->entries[i].serial || m->entries[i].used < e->used)
                                e = &m->entries[i];
                free(e->serial);
                e->serial = strdup(serial);     /* NULL on OOM: forgotten */
        }
        e->status = *status;
        e->used = ++m->clock;
        pthread_mutex_unlock(&m->lock);
}

bool pin_memo_load(PinMemo *m, const char *serial, PinStatus *ret) {
        MemoEntry *e;

        if (!serial)
                return false;
        pthread_mutex_lock(&m->lock);
        e = find(m, serial);
        if (e) {
                *ret = e->status;
                e->used = ++m->clock;
        }
        pthread_mutex_unlock(&m->lock);
        return e != NULL;
}
