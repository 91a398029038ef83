/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "secret.h"

char *secret_strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p = malloc(n);

        if (!p)
                return NULL;
        memcpy(p, s, n);
        (void) mlock(p, n);     /* best effort: may exceed RLIMIT_MEMLOCK */
        return p;
}

void secret_free(char *s) {
        size_t n;

        if (!s)
                return;
        n = strlen(s) + 1;
        explicit_bzero(s, n);
        (void) munlock(s, n);
        free(s);
}
