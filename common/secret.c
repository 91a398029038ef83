/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secret.h"

/* mlock() and munlock() work on whole pages, and locks do not nest: a
 * secret that shared a page with another allocation would unlock that
 * page when freed, under a secret still living there. So every secret
 * gets pages of its own: a page-aligned block whose size is a multiple
 * of the page size, starting with a header that records that size. The
 * lock, MADV_DONTDUMP and the wipe then cover exactly the block, and
 * nothing else is ever on its pages. A page per PIN is cheap: kartd
 * holds a few at a time. */

typedef struct SecretHeader {
        size_t size;            /* of the whole block, header included */
        max_align_t align;
} SecretHeader;

static SecretHeader *header_of(char *s) {
        return (SecretHeader *) (void *) (s - offsetof(SecretHeader, align));
}

char *secret_strdup(const char *s) {
        long page = sysconf(_SC_PAGESIZE);
        size_t n = strlen(s) + 1, size;
        SecretHeader *h;
        void *p;

        if (page <= 0)
                page = 4096;
        if (n > SIZE_MAX - sizeof(SecretHeader) - (size_t) page)
                return NULL;
        size = (offsetof(SecretHeader, align) + n + (size_t) page - 1) / (size_t) page * (size_t) page;
        if (posix_memalign(&p, (size_t) page, size) != 0)
                return NULL;
        /* Best effort: mlock may exceed RLIMIT_MEMLOCK. */
        (void) mlock(p, size);
        (void) madvise(p, size, MADV_DONTDUMP);
        h = p;
        h->size = size;
        memcpy((char *) p + offsetof(SecretHeader, align), s, n);
        return (char *) p + offsetof(SecretHeader, align);
}

void secret_free(char *s) {
        SecretHeader *h;
        size_t size;

        if (!s)
                return;
        h = header_of(s);
        size = h->size;
        explicit_bzero(h, size);
        (void) madvise(h, size, MADV_DODUMP);
        (void) munlock(h, size);
        free(h);
}
