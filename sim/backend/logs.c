/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log (events, never a secret) and the request log (bodies
 * with secret values replaced), both append-only JSON lines in the state
 * directory; and the idempotency store. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "backend.h"

static int open_append(const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        return fd < 0 ? negative_errno() : fd;
}

int logs_open(Context *ctx) {
        ctx->audit_fd = open_append(ctx->state_dir, "audit.log");
        if (ctx->audit_fd < 0)
                return ctx->audit_fd;
        ctx->requests_fd = open_append(ctx->state_dir, "requests.log");
        return ctx->requests_fd < 0 ? ctx->requests_fd : 0;
}

void logs_close(Context *ctx) {
        if (ctx->audit_fd >= 0)
                close(ctx->audit_fd);
        if (ctx->requests_fd >= 0)
                close(ctx->requests_fd);
        ctx->audit_fd = ctx->requests_fd = -1;
}

static void write_line(int fd, json_t *v) {
        _cleanup_free_ char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        size_t len;

        if (!text || fd < 0)
                return;
        len = strlen(text);
        text[len] = '\n';  /* the NUL becomes the line's end */
        if (write(fd, text, len + 1) < 0)
                fprintf(stderr, "kart-backend-sim: log write failed: %m\n");
}

void audit_event(Context *ctx, const char *event, json_t *fields, char *id_out, size_t id_size) {
        char id[24] = "a-";

        random_hex(id + 2, 8);
        if (!fields)
                fields = json_object();
        json_object_set_new(fields, "time", json_integer((json_int_t) time(NULL)));
        json_object_set_new(fields, "event", json_string(event));
        json_object_set_new(fields, "audit_id", json_string(id));
        write_line(ctx->audit_fd, fields);
        json_decref(fields);
        if (id_out)
                snprintf(id_out, id_size, "%s", id);
}

static bool secret_key(const char *key) {
        return streq(key, "password") || streq(key, "code") || streq(key, "verification_code");
}

json_t *redact(json_t *v) {
        const char *key;
        json_t *value, *copy;
        size_t i;

        if (json_is_object(v)) {
                copy = json_object();
                json_object_foreach(v, key, value)
                        json_object_set_new(copy, key, secret_key(key) ? json_string("***") : redact(value));
                return copy;
        }
        if (json_is_array(v)) {
                copy = json_array();
                json_array_foreach(v, i, value)
                        json_array_append_new(copy, redact(value));
                return copy;
        }
        return json_incref(v);
}

void request_log(Context *ctx, const Request *q, unsigned status, const char *raw_body, size_t raw_len) {
        json_t *line = json_pack("{s:I, s:s, s:s, s:s, s:I}", "time", (json_int_t) time(NULL), "request_id",
                                 q->request_id, "method", q->method, "path", q->path, "status", (json_int_t) status);

        if (!line)
                return;
        if (q->body)
                json_object_set_new(line, "body", redact(q->body));
        else if (raw_len > 0)
                /* not JSON we understood: its text might hold a secret */
                json_object_set_new(line, "body_bytes", json_integer((json_int_t) raw_len));
        write_line(ctx->requests_fd, line);
        json_decref(line);
}

/* ---------------------------------------------------------------- idempotency */

void idem_fingerprint(const char *method, const char *path, const char *token, const char *body, size_t len,
                      uint8_t ret[32]) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned n = 0;

        memset(ret, 0, 32);
        if (!md)
                return;
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        EVP_DigestUpdate(md, method, strlen(method) + 1);
        EVP_DigestUpdate(md, path, strlen(path) + 1);
        EVP_DigestUpdate(md, strempty(token), strlen(strempty(token)) + 1);
        EVP_DigestUpdate(md, body ? body : "", len);
        EVP_DigestFinal_ex(md, ret, &n);
        EVP_MD_CTX_free(md);
}

static void idem_expire(Context *ctx, time_t now) {
        IdemEntry **p = &ctx->idem;

        while (*p) {
                IdemEntry *e = *p;
                if (now - e->stored > IDEM_LIFETIME) {
                        *p = e->next;
                        free(e->body);
                        free(e);
                } else {
                        p = &e->next;
                }
        }
}

int idem_lookup(Context *ctx, const char *key, const uint8_t fp[32], time_t now, unsigned *status,
                const char **body) {
        idem_expire(ctx, now);
        for (IdemEntry *e = ctx->idem; e; e = e->next) {
                if (!streq(e->key, key))
                        continue;
                if (memcmp(e->fingerprint, fp, 32) != 0)
                        return -EEXIST;
                *status = e->status;
                *body = e->body;
                return 1;
        }
        return 0;
}

void idem_store(Context *ctx, const char *key, const uint8_t fp[32], time_t now, unsigned status,
                const char *body) {
        IdemEntry *e = calloc(1, sizeof *e);

        if (!e)
                return;
        snprintf(e->key, sizeof e->key, "%s", key);
        memcpy(e->fingerprint, fp, 32);
        e->stored = now;
        e->status = status;
        e->body = body ? strdup(body) : NULL;
        e->next = ctx->idem;
        ctx->idem = e;
}

void idem_free(Context *ctx) {
        while (ctx->idem) {
                IdemEntry *e = ctx->idem;
                ctx->idem = e->next;
                free(e->body);
                free(e);
        }
}
