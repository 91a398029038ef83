/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "wipe-alloc.h"

/* malloc_usable_size() covers at least what was asked for. */
static void wiping_free(void *p) {
        if (!p)
                return;
        explicit_bzero(p, malloc_usable_size(p));
        free(p);
}

/* realloc() would free the old block unwiped: a new one, and the old one
 * wiped. */
static void *wiping_realloc(void *p, size_t size) {
        size_t old;
        void *n;

        if (!p)
                return malloc(size);
        if (size == 0) {
                wiping_free(p);
                return NULL;
        }
        old = malloc_usable_size(p);
        if (size <= old)
                return p;
        n = malloc(size);
        if (!n)
                return NULL;
        memcpy(n, p, old);
        wiping_free(p);
        return n;
}

static char *wiping_strdup(const char *s) {
        return strdup(s);
}

static void *crypto_malloc(size_t size, const char *file, int line) {
        (void) file, (void) line;
        return malloc(size);
}

static void *crypto_realloc(void *p, size_t size, const char *file, int line) {
        (void) file, (void) line;
        return wiping_realloc(p, size);
}

static void crypto_free(void *p, const char *file, int line) {
        (void) file, (void) line;
        wiping_free(p);
}

int wipe_alloc_install(void) {
        int r = 0;

        json_set_alloc_funcs(malloc, wiping_free);
        /* Fails once OpenSSL has allocated (a library constructor did). */
        if (CRYPTO_set_mem_functions(crypto_malloc, crypto_realloc, crypto_free) != 1)
                r = -EBUSY;
        /* The first global init wins; http.c's later one only counts. */
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wiping_free, wiping_realloc, wiping_strdup,
                                 calloc) != CURLE_OK)
                r = -EBUSY;
        return r;
}
