/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcurl multi on sd-event: curl tells which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION);
 * the loop tells curl what happened (curl_multi_socket_action). */
#include "config.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "macro.h"

struct HttpClient {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        char *proxy;            /* "" for none */
        HttpCall *calls;        /* pending, for http_client_free() */
};

struct HttpCall {
        HttpClient *client;
        HttpCall *prev, *next;
        CURL *easy;
        struct curl_slist *headers;
        uint8_t *body;          /* the request's, copied */
        size_t body_len;
        uint8_t *buf;           /* the answer so far */
        size_t len, cap, max;
        bool too_big;
        char error[CURL_ERROR_SIZE];
        HttpDone done;
        void *userdata;
};

static void call_free(HttpCall *c) {
        HttpClient *h = c->client;

        if (c->prev)
                c->prev->next = c->next;
        else
                h->calls = c->next;
        if (c->next)
                c->next->prev = c->prev;
        if (c->easy) {
                curl_multi_remove_handle(h->multi, c->easy);
                curl_easy_cleanup(c->easy);
        }
        /* The body may carry codes and passwords, a header a bearer
         * token, the answer a session token. */
        for (struct curl_slist *l = c->headers; l; l = l->next)
                explicit_bzero(l->data, strlen(l->data));
        curl_slist_free_all(c->headers);
        if (c->body)
                explicit_bzero(c->body, c->body_len);
        free(c->body);
        if (c->buf)
                explicit_bzero(c->buf, c->cap);
        free(c->buf);
        free(c);
}

static int errno_of(CURLcode code, bool too_big) {
        if (too_big)
                return -EFBIG;
        switch (code) {
        case CURLE_OK:
                return 0;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;
        /* The server is not the one configured (or the configuration
         * cannot say): asking again will not change that. */
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CACERT_BADFILE:
                return -EACCES;
        default:
                return -EPROTO;
        }
}

static void check_finished(HttpClient *h) {
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(h->multi, &left))) {
                HttpCall *c = NULL;
                HttpResponse resp = {};
                char *ctype = NULL;
                int r;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &c) != CURLE_OK || !c)
                        continue;
                r = errno_of(msg->data.result, c->too_big);
                if (r == 0) {
                        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &resp.status);
                        curl_easy_getinfo(c->easy, CURLINFO_CONTENT_TYPE, &ctype);
                        resp.content_type = ctype;
                        resp.body = c->buf;
                        resp.body_len = c->len;
                }
                if (r == -EFBIG)
                        snprintf(c->error, sizeof c->error, "the answer is larger than %zu bytes", c->max);
                else if (r < 0 && !c->error[0])
                        snprintf(c->error, sizeof c->error, "%s", curl_easy_strerror(msg->data.result));
                c->done(r, &resp, r < 0 ? c->error : "", c->userdata);
                call_free(c);
        }
}

static int on_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        HttpClient *h = userdata;
        int running;

        curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        check_finished(h);
        return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HttpClient *h = userdata;
        int action = 0, running;

        (void) s;
        if (revents & (EPOLLIN | EPOLLHUP))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & EPOLLERR)
                action |= CURL_CSELECT_ERR;
        curl_multi_socket_action(h->multi, fd, action, &running);
        check_finished(h);
        return 0;
}

static int on_socket(CURL *easy _unused_, curl_socket_t fd, int what, void *userp, void *socketp) {
        HttpClient *h = userp;
        sd_event_source *io = socketp;
        uint32_t events = 0;

        if (what == CURL_POLL_REMOVE) {
                if (io) {
                        sd_event_source_disable_unref(io);
                        curl_multi_assign(h->multi, fd, NULL);
                }
                return 0;
        }
        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;
        if (io) {
                if (sd_event_source_set_io_events(io, events) < 0)
                        return -1;
                return 0;
        }
        if (sd_event_add_io(h->event, &io, fd, events, on_io, h) < 0)
                return -1;
        (void) sd_event_source_set_description(io, "curl-io");
        if (curl_multi_assign(h->multi, fd, io) != CURLM_OK) {
                sd_event_source_disable_unref(io);
                return -1;
        }
        return 0;
}

static int on_curl_timer(CURLM *multi _unused_, long timeout_ms, void *userp) {
        HttpClient *h = userp;
        uint64_t now;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(h->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        if (sd_event_now(h->event, CLOCK_MONOTONIC, &now) < 0)
                return -1;
        if (sd_event_source_set_time(h->timer, now + (uint64_t) timeout_ms * 1000) < 0 ||
            sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

int http_client_new(sd_event *event, const char *proxy, HttpClient **ret) {
        static bool curl_ready;
        HttpClient *h;
        int r;

        if (!curl_ready) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -EIO;
                curl_ready = true;
        }
        h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->event = sd_event_ref(event);
        h->proxy = strdup(proxy ?: "");
        h->multi = curl_multi_init();
        if (!h->proxy || !h->multi) {
                http_client_free(h);
                return -ENOMEM;
        }
        /* Accuracy 1 us: sd-event's default (250 ms) would hold every
         * transfer step curl schedules "now" for up to a quarter second. */
        r = sd_event_add_time(event, &h->timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_timer, h);
        if (r < 0) {
                http_client_free(h);
                return r;
        }
        (void) sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
        (void) sd_event_source_set_description(h->timer, "curl-timer");
        if (curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
            curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) != CURLM_OK) {
                http_client_free(h);
                return -EIO;
        }
        *ret = h;
        return 0;
}

HttpClient *http_client_free(HttpClient *h) {
        if (!h)
                return NULL;
        while (h->calls)
                call_free(h->calls);
        if (h->multi)
                curl_multi_cleanup(h->multi);   /* removes the io sources through on_socket */
        sd_event_source_disable_unref(h->timer);
        sd_event_unref(h->event);
        free(h->proxy);
        free(h);
        return NULL;
}

static size_t on_data(char *data, size_t size, size_t n, void *userdata) {
        HttpCall *c = userdata;
        size_t len = size * n;

        if (len > c->max - c->len) {
                c->too_big = true;
                return 0;       /* curl stops with CURLE_WRITE_ERROR */
        }
        if (c->len + len > c->cap) {
                size_t cap = MAX(c->cap * 2, c->len + len);
                uint8_t *p = malloc(MIN(cap, c->max));

                if (!p)
                        return 0;
                if (c->buf) {           /* not realloc(): the old copy is wiped */
                        memcpy(p, c->buf, c->len);
                        explicit_bzero(c->buf, c->cap);
                        free(c->buf);
                }
                c->buf = p;
                c->cap = MIN(cap, c->max);
        }
        memcpy(c->buf + c->len, data, len);
        c->len += len;
        return len;
}

static int call_setup(HttpCall *c, const HttpRequest *req) {
        CURL *e = c->easy;
        char header[256];
        bool ok = true;

        ok = ok && curl_easy_setopt(e, CURLOPT_URL, req->url) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, req->https_only ? "https" : "http,https") == CURLE_OK;
        /* CAFile= is the whole trust: not also the system's CA directory,
         * which Debian's libcurl reads by default. */
        if (req->ca_file)
                ok = ok && curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file) == CURLE_OK &&
                     curl_easy_setopt(e, CURLOPT_CAPATH, NULL) == CURLE_OK;
        if (req->pinned_key)
                ok = ok && curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, req->pinned_key) == CURLE_OK;
        if (req->method && strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)
                ok = ok && curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_PROXY, c->client->proxy) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long) req->connect_timeout_ms) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) req->timeout_ms) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) req->max_response) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_WRITEDATA, c) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->error) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_PRIVATE, c) == CURLE_OK;
        if (!ok)
                return -EINVAL;

        if (req->content_type) {
                snprintf(header, sizeof header, "Content-Type: %s", req->content_type);
                if (!(c->headers = curl_slist_append(c->headers, header)))
                        return -ENOMEM;
                if (req->body_len > 0 && !(c->body = malloc(req->body_len)))
                        return -ENOMEM;
                if (req->body_len > 0)
                        memcpy(c->body, req->body, req->body_len);
                c->body_len = req->body_len;
                ok = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len) == CURLE_OK &&
                     curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body ?: (uint8_t *) "") == CURLE_OK;
        }
        if (ok && req->accept) {
                snprintf(header, sizeof header, "Accept: %s", req->accept);
                struct curl_slist *l = curl_slist_append(c->headers, header);
                if (!l)
                        return -ENOMEM;
                c->headers = l;
        }
        for (char **h = req->headers; ok && h && *h; h++) {
                struct curl_slist *l = curl_slist_append(c->headers, *h);

                if (!l)
                        return -ENOMEM;
                c->headers = l;
        }
        if (ok && c->headers)
                ok = curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers) == CURLE_OK;
        return ok ? 0 : -EINVAL;
}

int http_start(HttpClient *h, const HttpRequest *req, HttpDone done, void *userdata, HttpCall **ret) {
        HttpCall *c;
        int r;

        if (!req->url || req->max_response == 0)
                return -EINVAL;
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (HttpCall) { .client = h, .max = req->max_response, .done = done, .userdata = userdata };
        c->next = h->calls;
        if (h->calls)
                h->calls->prev = c;
        h->calls = c;

        c->easy = curl_easy_init();
        r = c->easy ? call_setup(c, req) : -ENOMEM;
        if (r >= 0 && curl_multi_add_handle(h->multi, c->easy) != CURLM_OK)
                r = -EIO;
        if (r < 0) {
                call_free(c);
                return r;
        }
        if (ret)
                *ret = c;
        return 0;
}

void http_call_cancel(HttpCall *call) {
        if (call)
                call_free(call);
}
