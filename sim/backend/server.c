/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmicrohttpd glue: TLS on 127.0.0.1, one thread per connection (a test
 * tool: delays must not hold other clients up). Collects the body up to
 * the cap, checks the protocol headers, applies armed faults, replays
 * idempotent answers, runs the handler under the context lock, logs the
 * request with its secrets replaced, and answers. */
#include "config.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "backend.h"

typedef struct Upload {
        char *data;
        size_t len;
        bool too_large;
} Upload;

static void split_path(Request *q, char *buf) {
        char *save = NULL, *part;

        q->n_parts = 0;
        for (part = strtok_r(buf, "/", &save); part && q->n_parts < 8; part = strtok_r(NULL, "/", &save))
                q->parts[q->n_parts++] = part;
        if (part)
                q->n_parts = 0;  /* too deep: matches nothing */
}

static const char *bearer_token(struct MHD_Connection *conn) {
        const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        const char *t;

        if (!h || strncmp(h, "Bearer ", 7) != 0)
                return NULL;
        t = h + 7;
        if (!*t || strlen(t) >= ID_MAX || strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                                    strlen(t))
                return NULL;
        return t;
}

static bool json_content_type(const char *ct) {
        size_t n = strlen("application/json");

        if (!ct || strncasecmp(ct, "application/json", n) != 0)
                return false;
        return ct[n] == 0 || ct[n] == ';' || ct[n] == ' ';
}

/* Checks done before the body is looked at; false with r set. */
static bool check_headers(struct MHD_Connection *conn, const Upload *u, bool post, const char **idem_key, Reply *r) {
        const char *proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Kartd-Protocol");
        const char *key;

        if (!proto || !streq(proto, "1"))
                return reply_bad_request(r, "Kartd-Protocol", "header must be 1");
        if (!post)
                return true;
        if (u->too_large)
                return reply_error(r, 413, "body_too_large", "the request body is larger than %d bytes", BODY_MAX);
        if (!json_content_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
                return reply_error(r, 415, "unsupported_media_type", "the body must be application/json");
        key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
        if (!key || strlen(key) != 32 || !is_hex(key, true))
                return reply_bad_request(r, "Idempotency-Key", "header must be 32 lowercase hex digits");
        *idem_key = key;
        return true;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, unsigned status, const char *body, bool replayed,
                                  const char *request_id) {
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer(body ? strlen(body) : 0, (void *) (body ? body : ""),
                                               MHD_RESPMEM_MUST_COPY);
        if (!resp)
                return MHD_NO;
        if (body)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(resp, "Kartd-Protocol", "1");
        MHD_add_response_header(resp, "Kartd-Request-Id", request_id);
        if (replayed)
                MHD_add_response_header(resp, "Idempotency-Replayed", "true");
        ret = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (ms && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void parse_body(Request *q, const Upload *u, Reply *r) {
        json_error_t err;

        q->body = json_loadb(u->data ? u->data : "", u->len, JSON_REJECT_DUPLICATES, &err);
        if (!q->body)
                reply_error(r, 400, "bad_request", "body: malformed JSON (%s)", err.text);
        else if (!json_is_object(q->body))
                reply_bad_request(r, "body", "expected an object");
}

static enum MHD_Result finish(Context *ctx, struct MHD_Connection *conn, const char *url, const char *method,
                              Upload *u) {
        char *parts[8], pathbuf[512];
        _cleanup_free_ char *text = NULL;
        const char *idem_key = NULL, *stored = NULL, *endpoint;
        bool post = streq(method, "POST"), replayed = false;
        bool store = false;
        uint8_t fp[32];
        Request q = { .ctx = ctx, .method = method, .path = url, .parts = parts, .now = time(NULL) };
        Reply r = {};
        Fault fault = {};
        unsigned status;

        memcpy(q.request_id, "r-", 2);
        random_hex(q.request_id + 2, 8);
        snprintf(pathbuf, sizeof pathbuf, "%s", url);
        split_path(&q, pathbuf);
        q.token = bearer_token(conn);
        q.card_serial_arg = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "card_serial");
        endpoint = route_endpoint_name(method, parts, q.n_parts);

        if (!check_headers(conn, u, post, &idem_key, &r))
                goto answer;  /* refused before the body: never stored */
        if (faults_take(ctx->state_dir, endpoint, &fault) > 0) {
                if (streq(fault.mode, "error")) {
                        reply_error(&r, 500, "internal", "injected fault");
                        goto answer;
                }
                if (streq(fault.mode, "garbage")) {
                        r.status = 200;
                        text = strdup("<html>this is not JSON</html>\n");
                        goto answer;
                }
        }

        pthread_mutex_lock(&ctx->lock);
        if (post) {
                int k;
                idem_fingerprint(method, url, q.token, u->data, u->len, fp);
                k = idem_lookup(ctx, idem_key, fp, q.now, &status, &stored);
                if (k > 0) {
                        r.status = status;
                        text = stored ? strdup(stored) : NULL;
                        replayed = true;
                } else if (k < 0) {
                        /* not stored: the key keeps the answer of its first request */
                        reply_bad_request(&r, "Idempotency-Key", "already used for a different request");
                } else {
                        store = true;
                        parse_body(&q, u, &r);
                }
        }
        if (!replayed && !r.status)
                route_request(&q, &r);
        if (!replayed) {
                json_t *err = json_object_get(r.body, "error");
                if (err)
                        json_object_set_new(err, "request_id", json_string(q.request_id));
                text = r.body ? json_dumps(r.body, JSON_COMPACT) : NULL;
                if (store && r.status != 429 && r.status < 500)
                        idem_store(ctx, idem_key, fp, q.now, r.status, text);
        }
        request_log(ctx, &q, r.status, u->data, u->len);
        pthread_mutex_unlock(&ctx->lock);
        goto send;

answer:
        if (!text && r.body) {
                json_t *err = json_object_get(r.body, "error");
                if (err)
                        json_object_set_new(err, "request_id", json_string(q.request_id));
                text = json_dumps(r.body, JSON_COMPACT);
        }
        pthread_mutex_lock(&ctx->lock);
        request_log(ctx, &q, r.status, NULL, u->len);
        pthread_mutex_unlock(&ctx->lock);
send:
        status = r.status ? r.status : 500;
        json_decref(q.body);
        reply_clear(&r);
        sleep_ms(ctx->delay_ms + (streq(fault.mode, "delay") ? fault.delay_ms : 0));
        if (streq(fault.mode, "drop"))
                return MHD_NO;  /* the work is done and stored; the answer is lost */
        return send_reply(conn, status, status == 204 ? NULL : text, replayed, q.request_id);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
        Upload *u = *con_cls;

        if (!u) {
                const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
                u = calloc(1, sizeof *u);
                if (!u)
                        return MHD_NO;
                *con_cls = u;
                /* a declared oversized body is refused without reading it */
                if (cl && strtoull(cl, NULL, 10) > BODY_MAX) {
                        u->too_large = true;
                        return finish(cls, conn, url, method, u);
                }
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                if (!u->too_large && u->len + *upload_data_size <= BODY_MAX) {
                        char *n = realloc(u->data, u->len + *upload_data_size + 1);
                        if (!n)
                                return MHD_NO;
                        memcpy(n + u->len, upload_data, *upload_data_size);
                        u->data = n;
                        u->len += *upload_data_size;
                        u->data[u->len] = 0;
                } else {
                        u->too_large = true;  /* the rest is read and dropped */
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        return finish(cls, conn, url, method, u);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
        Upload *u = *con_cls;

        if (!u)
                return;
        if (u->data) {
                OPENSSL_cleanse(u->data, u->len);  /* may hold a password */
                free(u->data);
        }
        free(u);
        *con_cls = NULL;
}

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n;

        if (!f)
                return NULL;
        buf = calloc(1, 65537);
        if (buf) {
                n = fread(buf, 1, 65536, f);
                if (n == 0 || n == 65536) {
                        free(buf);
                        buf = NULL;
                }
        }
        fclose(f);
        return buf;
}

int serve(Context *ctx, unsigned port, const char *cert_pem, const char *key_pem) {
        _cleanup_free_ char *cert = read_file(cert_pem), *key = read_file(key_pem);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        struct MHD_Daemon *d;
        sigset_t set;
        int sig = 0;

        if (!cert || !key) {
                fprintf(stderr, "kart-backend-sim: cannot read %s or %s\n", cert_pem, key_pem);
                return -EINVAL;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
                fprintf(stderr, "kart-backend-sim: libmicrohttpd has no TLS support\n");
                return -EOPNOTSUPP;
        }
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        /* the server threads inherit the blocked signals: only sigwait gets them */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);

        d = MHD_start_daemon(MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                     MHD_USE_ERROR_LOG,
                             (uint16_t) port, NULL, NULL, on_request, ctx, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                             MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                             NULL, MHD_OPTION_END);
        OPENSSL_cleanse(key, strlen(key));
        if (!d) {
                fprintf(stderr, "kart-backend-sim: cannot listen on 127.0.0.1:%u\n", port);
                return -EADDRINUSE;
        }
        fprintf(stderr, "kart-backend-sim: listening on https://127.0.0.1:%u\n", port);
        sigwait(&set, &sig);
        fprintf(stderr, "kart-backend-sim: signal %d, stopping\n", sig);
        MHD_stop_daemon(d);
        return 0;
}
