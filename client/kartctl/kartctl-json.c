/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus values as JSON, for --json output of replies whose shape kartctl
 * does not need to know (e.g. GetCertificateInfo's a{sv}). */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "kartctl.h"
#include "macro.h"

/* The elements of an array, struct or dict entry list, up to its end. */
static int container_to_json(sd_bus_message *m, char type, const char *contents, json_t **ret) {
        bool dict = type == 'a' && contents[0] == '{' && contents[1] == 's';
        json_t *j = dict ? json_object() : json_array();
        char entry[256] = "";
        int r;

        if (!j)
                return -ENOMEM;
        if (dict) {
                /* "{sv}" -> "sv" */
                size_t n = strlen(contents);
                if (n < 3 || n - 2 >= sizeof entry) {
                        json_decref(j);
                        return -EBADMSG;
                }
                memcpy(entry, contents + 1, n - 2);
        }
        r = sd_bus_message_enter_container(m, type, contents);
        while (r >= 0) {
                const char *key = NULL;
                json_t *v = NULL;

                if (dict) {
                        r = sd_bus_message_enter_container(m, 'e', entry);
                        if (r <= 0)
                                break;
                        r = sd_bus_message_read_basic(m, 's', &key);
                        if (r < 0)
                                break;
                } else {
                        r = sd_bus_message_at_end(m, false);
                        if (r != 0)
                                break;
                }
                r = kartctl_message_to_json(m, &v);
                if (r >= 0 && dict)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        break;
                /* A value JSON cannot hold (a file descriptor) is left out. */
                if (v && dict)
                        json_object_set_new(j, key, v);
                else if (v)
                        json_array_append_new(j, v);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                json_decref(j);
                return r;
        }
        *ret = j;
        return 0;
}

/* Reads the next value of any type; *ret is NULL for one JSON cannot hold. */
int kartctl_message_to_json(sd_bus_message *m, json_t **ret) {
        union {
                const char *s;
                int b;
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                int h;
        } v;
        const char *contents;
        char type;
        int r;

        *ret = NULL;
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        switch (type) {
        case 'a':
        case 'r':
        case 'e':
                return container_to_json(m, type, contents, ret);
        case 'v':
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r >= 0)
                        r = kartctl_message_to_json(m, ret);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                return r;
        }
        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case 's':
        case 'o':
        case 'g':
                *ret = json_string(v.s);
                break;
        case 'b':
                *ret = json_boolean(v.b);
                break;
        case 'y':
                *ret = json_integer(v.y);
                break;
        case 'n':
                *ret = json_integer(v.n);
                break;
        case 'q':
                *ret = json_integer(v.q);
                break;
        case 'i':
                *ret = json_integer(v.i);
                break;
        case 'u':
                *ret = json_integer(v.u);
                break;
        case 'x':
                *ret = json_integer(v.x);
                break;
        case 't':
                *ret = json_integer((json_int_t) v.t);
                break;
        case 'd':
                *ret = json_real(v.d);
                break;
        }
        return 0;
}

