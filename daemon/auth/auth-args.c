/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth-args.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"

/* The types an option's value may have: basic, but for 'h'. */
#define OPTION_VALUE_TYPES "ybnqiuxtdsog"

/* The signature a spec stands for, in buf (large enough for any spec of
 * the table); NULL when the spec has a letter not listed above. */
static const char *spec_signature(const char *spec, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (const char *p = spec; *p; p++) {
                const char *piece = strchr("PWS", *p) ? "s" : *p == 'O' ? "a{sv}" : NULL;

                if (!piece || n + strlen(piece) >= size)
                        return NULL;
                memcpy(buf + n, piece, strlen(piece) + 1);
                n += strlen(piece);
        }
        return buf;
}

/* > 0 when the next argument, a string, is at most max bytes; the string
 * stays in the message (strnlen: no more of it than needed is read). */
static int read_string_within(sd_bus_message *m, char type, size_t max) {
        const char *s;
        int r;

        r = sd_bus_message_read_basic(m, type, &s);
        if (r < 0)
                return r;
        return strnlen(s, max + 1) <= max;
}

/* > 0 when the next argument, an a{sv}, is within the bounds of 'O'. It
 * stops at the first entry over them, however many follow. */
static int read_options_within(sd_bus_message *m) {
        unsigned n = 0;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *contents;
                char type;
                union {
                        uint64_t u;
                        double d;
                        const char *s;
                } value;

                if (++n > AUTH_ARG_OPTIONS_MAX)
                        return 0;
                r = read_string_within(m, 's', AUTH_ARG_WORD_MAX);
                if (r <= 0)
                        return r;
                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (!contents || strlen(contents) != 1 || !strchr(OPTION_VALUE_TYPES, contents[0]))
                        return 0;
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                if (strchr("sog", contents[0]))
                        r = read_string_within(m, contents[0], AUTH_ARG_WORD_MAX);
                else
                        r = sd_bus_message_read_basic(m, contents[0], &value);
                if (r <= 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

int auth_args_check(sd_bus_message *m, const char *spec, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(m);
        char signature[64];
        unsigned i = 0;
        int r;

        if (!spec_signature(spec, signature, sizeof signature) ||
            !sd_bus_message_has_signature(m, signature)) {
                log_error("kartd's argument bounds for %s (%s) do not match its signature.", member, spec);
                return sd_bus_error_setf(error, KART_ERROR_FAILED, "kartd cannot check the arguments of %s.",
                                         member);
        }
        r = sd_bus_message_rewind(m, true);
        for (const char *p = spec; *p && r >= 0; p++, i++)
                switch (*p) {
                case 'P':
                        r = read_string_within(m, 's', AUTH_ARG_PIN_MAX);
                        if (r == 0)
                                return sd_bus_error_setf(error, KART_ERROR_INVALID_PIN,
                                                         "The PIN is longer than any card takes (%u bytes); "
                                                         "nothing was sent to the card.",
                                                         (unsigned) AUTH_ARG_PIN_MAX);
                        break;
                case 'W':
                case 'S': {
                        size_t max = *p == 'W' ? AUTH_ARG_WORD_MAX : AUTH_ARG_SECRET_MAX;

                        r = read_string_within(m, 's', max);
                        if (r == 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Argument %u of %s is longer than %zu bytes.",
                                                         i + 1, member, max);
                        break;
                }
                default:        /* 'O', spec_signature() allows nothing else */
                        r = read_options_within(m);
                        if (r == 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "%s takes at most %u options, each named in at most "
                                                         "%u bytes, with a number, a boolean or a string of "
                                                         "at most %u bytes.", member, AUTH_ARG_OPTIONS_MAX,
                                                         AUTH_ARG_WORD_MAX, AUTH_ARG_WORD_MAX);
                        break;
                }
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read the arguments of %s: %m", member);
        return 0;
}
