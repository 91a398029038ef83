/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Copies of secrets (PINs): locked in memory where possible, wiped before
 * they are freed. */
char *secret_strdup(const char *s);
void secret_free(char *s);
static inline void secret_freep(char **s) {
        secret_free(*s);
}
#define _cleanup_secret_ __attribute__((cleanup(secret_freep)))
