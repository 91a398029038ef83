/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replies and strict checks of request JSON: every field named, typed and
 * bounded; anything unexpected is a 400 that names the field. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "backend.h"

void reply_clear(Reply *r) {
        json_decref(r->body);
        r->body = NULL;
        r->status = 0;
}

bool reply_json(Reply *r, unsigned status, json_t *body) {
        reply_clear(r);
        r->status = status;
        r->body = body;
        return false;
}

bool reply_error_full(Reply *r, unsigned status, const char *code, int attempts_left, int retry_after,
                      const char *fmt, ...) {
        char message[512];
        va_list ap;
        json_t *err;

        va_start(ap, fmt);
        vsnprintf(message, sizeof message, fmt, ap);
        va_end(ap);
        err = json_pack("{s:s, s:s}", "code", code, "message", message);
        if (err && attempts_left >= 0)
                json_object_set_new(err, "attempts_left", json_integer(attempts_left));
        if (err && retry_after >= 0)
                json_object_set_new(err, "retry_after", json_integer(retry_after));
        /* request_id is added when the reply is sent */
        return reply_json(r, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

bool reply_bad_request(Reply *r, const char *field, const char *what) {
        return reply_error(r, 400, "bad_request", "%s: %s", field, what);
}

static void field_path(char *buf, size_t size, const char *path, const char *key) {
        if (path && *path)
                snprintf(buf, size, "%s.%s", path, key);
        else
                snprintf(buf, size, "%s", key);
}

bool jc_object(Reply *r, json_t *v, const char *path, const char *const *fields) {
        const char *key;
        json_t *value;
        char name[128];

        if (!json_is_object(v))
                return reply_bad_request(r, path && *path ? path : "body", "expected an object");
        json_object_foreach(v, key, value) {
                bool known = false;
                for (const char *const *f = fields; *f; f++)
                        if (streq(*f, key))
                                known = true;
                if (!known) {
                        field_path(name, sizeof name, path, key);
                        return reply_bad_request(r, name, "unknown field");
                }
        }
        for (const char *const *f = fields; *f; f++)
                if (!json_object_get(v, *f)) {
                        field_path(name, sizeof name, path, *f);
                        return reply_bad_request(r, name, "missing");
                }
        return true;
}

const char *jc_string(Reply *r, json_t *obj, const char *path, const char *key, size_t min, size_t max) {
        json_t *v = json_object_get(obj, key);
        char name[128], what[96];
        size_t len;

        field_path(name, sizeof name, path, key);
        if (!json_is_string(v)) {
                reply_bad_request(r, name, "expected a string");
                return NULL;
        }
        len = json_string_length(v);
        if (len < min || len > max) {
                snprintf(what, sizeof what, "length must be %zu..%zu", min, max);
                reply_bad_request(r, name, what);
                return NULL;
        }
        return json_string_value(v);
}

bool jc_int(Reply *r, json_t *obj, const char *path, const char *key, long long min, long long max,
            long long *ret) {
        json_t *v = json_object_get(obj, key);
        char name[128], what[96];

        field_path(name, sizeof name, path, key);
        if (!json_is_integer(v))
                return reply_bad_request(r, name, "expected an integer");
        if (json_integer_value(v) < min || json_integer_value(v) > max) {
                snprintf(what, sizeof what, "must be %lld..%lld", min, max);
                return reply_bad_request(r, name, what);
        }
        *ret = json_integer_value(v);
        return true;
}

bool is_hex(const char *s, bool lower) {
        for (; *s; s++) {
                if (*s >= '0' && *s <= '9')
                        continue;
                if (lower && *s >= 'a' && *s <= 'f')
                        continue;
                if (!lower && *s >= 'A' && *s <= 'F')
                        continue;
                return false;
        }
        return true;
}

const char *jc_hex(Reply *r, json_t *obj, const char *path, const char *key, size_t min, size_t max,
                   bool lower) {
        const char *s = jc_string(r, obj, path, key, min, max);
        char name[128];

        if (!s)
                return NULL;
        field_path(name, sizeof name, path, key);
        if (strlen(s) % 2 != 0 || !is_hex(s, lower)) {
                reply_bad_request(r, name, lower ? "expected lowercase hex bytes" : "expected uppercase hex bytes");
                return NULL;
        }
        return s;
}

bool is_printable(const char *s) {
        /* printable ASCII or any UTF-8 beyond it (jansson checked the encoding) */
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int hex_to_bytes(const char *hex, uint8_t *buf, size_t size) {
        size_t len = strlen(hex);

        if (len % 2 != 0 || len / 2 > size)
                return -EINVAL;
        for (size_t i = 0; i < len / 2; i++) {
                int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                buf[i] = (uint8_t) (hi << 4 | lo);
        }
        return (int) (len / 2);
}

void bytes_to_hex(const uint8_t *buf, size_t len, char *out) {
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[buf[i] >> 4];
                out[2 * i + 1] = digits[buf[i] & 15];
        }
        out[2 * len] = 0;
}

int random_hex(char *out, size_t bytes) {
        uint8_t buf[64];

        if (bytes > sizeof buf || RAND_bytes(buf, (int) bytes) != 1)
                return -EIO;
        bytes_to_hex(buf, bytes, out);
        return 0;
}
