/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NULL-terminated arrays of owned strings, as D-Bus "as" values are built
 * from. NULL is an empty list everywhere. */

/* A list with no strings (not NULL), or NULL on OOM. */
char **strv_new_empty(void);

/* Appends s and takes ownership of it, also on failure (s is then freed):
 * 0 or -ENOMEM. s NULL, a failed allocation, is -ENOMEM too, so that
 * strv_push(&l, strdup(x)) needs no check in between. *l may be NULL. */
int strv_push(char ***l, char *s);

size_t strv_length(char **l);

/* Whether l holds s. */
bool strv_has(char **l, const char *s);

/* Frees the strings and the list; returns NULL. */
char **strv_free(char **l);

static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
