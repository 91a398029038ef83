/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

/* Logging to stderr, or to the journal when stderr is connected to it.
 * Messages never carry secrets; callers are responsible for that. */

/* The setters are for main(), before any thread starts: the level and
 * the ident are then only read. */
void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_ident(const char *ident);

/* Returns -abs(error) (or 0 when error is 0), so that callers can write
 * "return log_error_errno(r, ...)". %m reads abs(error), or, for error 0,
 * the caller's errno as it was. */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* Structured entry (journal fields, e.g. "MESSAGE_ID=..."); the message
 * goes to stderr when there is no journal. fields is NULL-terminated. */
void log_struct_fields(int level, const char *message, const char *const *fields);

#define log_full_errno(level, error, ...) \
        log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __VA_ARGS__)

static inline int log_oom(void) {
        return log_error_errno(ENOMEM, "Out of memory.");
}
