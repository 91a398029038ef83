/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "kart-states.h"
#include "log.h"
#include "macro.h"
#include "pin-memo.h"

#define LINE_MAX_LEN 160
#define SERIAL_MAX_LEN 64

typedef struct MemoEntry {
        char *serial;           /* NULL: free */
        PinStatus status;
        uint64_t used;          /* the memo's clock when last stored or loaded */
} MemoEntry;

struct PinMemo {
        pthread_mutex_t lock;
        char *path;             /* NULL: memory only */
        MemoEntry entries[PIN_MEMO_MAX];
        uint64_t clock;
};

/* A serial as TokenInfo gives it (lowercase hex) or a PKCS#11 token's:
 * printable, no spaces, bounded. Others are not remembered. */
static bool serial_ok(const char *s) {
        size_t n = strnlen(s, SERIAL_MAX_LEN + 1);

        if (n == 0 || n > SERIAL_MAX_LEN)
                return false;
        for (; *s; s++)
                if (*s <= 0x20 || *s >= 0x7F)
                        return false;
        return true;
}

static bool same_status(const PinStatus *a, const PinStatus *b) {
        return a->state == b->state && a->tries_left == b->tries_left && a->tries_max == b->tries_max;
}

static MemoEntry *find(PinMemo *m, const char *serial) {
        for (size_t i = 0; i < PIN_MEMO_MAX; i++)
                if (m->entries[i].serial && streq(m->entries[i].serial, serial))
                        return &m->entries[i];
        return NULL;
}

/* Under the lock: the whole memory to the file. */
static void save(PinMemo *m) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!m->path)
                return;
        f = open_memstream(&text, &size);
        if (!f)
                return (void) log_oom();
        for (size_t i = 0; i < PIN_MEMO_MAX; i++)
                if (m->entries[i].serial)
                        fprintf(f, "%s %s %d %d\n", m->entries[i].serial,
                                pin_state_to_string(m->entries[i].status.state),
                                m->entries[i].status.tries_left, m->entries[i].status.tries_max);
        if (fclose(f) != 0 || !text)
                return (void) log_oom();
        r = write_file_atomic(m->path, text);
        if (r < 0)
                log_warning_errno(r, "Cannot write %s (%m): a restarted kartd will not know the PIN states.",
                                  m->path);
}

/* Under the lock; true when something changed. */
static bool put(PinMemo *m, const char *serial, const PinStatus *status) {
        MemoEntry *e = find(m, serial);
        bool changed = !e || !same_status(&e->status, status);

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
        return changed;
}

/* "SERIAL STATE LEFT MAX", as save() writes it. */
static int parse_line(const char *line, char *serial, PinStatus *ret) {
        char state[16];
        int left, max, n = 0, s;

        if (sscanf(line, "%64s %15s %d %d %n", serial, state, &left, &max, &n) != 4 || line[n] != 0)
                return -EBADMSG;
        s = pin_state_from_string(state);
        if (!serial_ok(serial) || s < 0 || left < -1 || left > 15 || max < -1 || max > 15 ||
            (max >= 0 && left > max))
                return -EBADMSG;
        *ret = (PinStatus) { (PinState) s, left, max };
        return 0;
}

static void load(PinMemo *m, const char *path) {
        char line[LINE_MAX_LEN];
        unsigned n = 0;
        FILE *f;

        f = fopen(path, "re");
        if (!f) {
                if (errno != ENOENT)
                        log_warning_errno(-errno, "Cannot read %s (%m); the PIN states kartd knew are lost.", path);
                return;
        }
        while (fgets(line, sizeof line, f) && n < 4 * PIN_MEMO_MAX) {
                char serial[SERIAL_MAX_LEN + 1];
                PinStatus s;

                n++;
                line[strcspn(line, "\n")] = 0;
                if (parse_line(line, serial, &s) < 0)
                        log_warning("%s:%u: not a PIN state, ignoring it.", path, n);
                else
                        (void) put(m, serial, &s);
        }
        fclose(f);
}

PinMemo *pin_memo_new(const char *path) {
        PinMemo *m = calloc(1, sizeof *m);

        if (!m)
                return NULL;
        pthread_mutex_init(&m->lock, NULL);
        if (path) {
                load(m, path);
                m->path = strdup(path);
                if (!m->path)
                        return pin_memo_free(m);
        }
        return m;
}

PinMemo *pin_memo_free(PinMemo *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < PIN_MEMO_MAX; i++)
                free(m->entries[i].serial);
        pthread_mutex_destroy(&m->lock);
        free(m->path);
        free(m);
        return NULL;
}

void pin_memo_store(PinMemo *m, const char *serial, const PinStatus *status) {
        if (!serial || !serial_ok(serial))
                return;
        pthread_mutex_lock(&m->lock);
        if (put(m, serial, status))
                save(m);
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
