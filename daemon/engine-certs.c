/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "card/card-certs.h"
#include "card/token.h"
#include "card-events.h"
#include "engine-private.h"
#include "hexutil.h"
#include "log.h"
#include "macro.h"

typedef struct CertsJob {
        Engine *engine;
        char *reader;
        uint64_t generation;
        CardCertFile *files;
        size_t n_files, bytes;
        unsigned apdus;
} CertsJob;

static void certs_job_free(void *p) {
        CertsJob *j = p;

        card_cert_files_free(j->files, j->n_files);
        free(j->reader);
        free(j);
}

static int certs_job_run(CardConn *c, void *userdata) {
        CertsJob *j = userdata;
        unsigned before = c->t->apdu_count;
        int r;

        card_cert_files_free(j->files, j->n_files);
        j->files = NULL;
        j->n_files = 0;
        r = card_read_certificates(c, &j->files, &j->n_files, &j->bytes);
        j->apdus = c->t->apdu_count - before;
        return r;
}

static int certs_token_run(CardToken *t, void *userdata) {
        CertsJob *j = userdata;

        card_cert_files_free(j->files, j->n_files);
        j->files = NULL;
        j->n_files = 0;
        return card_token_read_certificates(t, &j->files, &j->n_files, &j->bytes);
}

static int cert_from_file(CardCertFile *f, CardCert *ret) {
        CardCert c = {};
        int r;

        c.id = hex_encode(f->meta.id, f->meta.id_len);
        c.label = strdup(f->meta.label ?: "");
        if (!c.id || !c.label) {
                free(c.id);
                free(c.label);
                return -ENOMEM;
        }
        c.authority = f->meta.authority;
        c.der = TAKE_PTR(f->der);
        c.der_len = f->der_len;
        r = c.der ? cert_info_parse(c.der, c.der_len, &c.info) : -ENODATA;
        if (r == -ENOMEM) {
                free(c.id);
                free(c.label);
                free(c.der);
                return r;
        }
        c.readable = r >= 0;
        if (!c.readable)
                log_warning("Certificate %s ('%s') on the card is unreadable.", c.id, c.label);
        c.status = KART_CERT_STATUS_UNKNOWN;
        c.status_detail = strdup("revocation status not checked yet");
        *ret = c;
        return 0;
}

static void card_certs_clear(Card *c) {
        for (size_t i = 0; i < c->n_certs; i++) {
                ocsp_check_cancel(c->certs[i].check);
                free(c->certs[i].id);
                free(c->certs[i].label);
                free(c->certs[i].der);
                free(c->certs[i].status_detail);
                cert_info_done(&c->certs[i].info);
        }
        free(c->certs);
        c->certs = NULL;
        c->n_certs = 0;
        c->status_pending = 0;
}

int engine_cert_waiter_add(CertWaiter **list, EngineCertsDone done, void *userdata) {
        CertWaiter *w = calloc(1, sizeof *w);

        if (!w)
                return -ENOMEM;
        *w = (CertWaiter) { .next = *list, .done = done, .userdata = userdata };
        *list = w;
        return 0;
}

void engine_cert_waiters_wake(CertWaiter **list, int result, Card *c) {
        CertWaiter *w = *list;

        *list = NULL;
        while (w) {
                CertWaiter *next = w->next;

                w->done(result, c, w->userdata);
                free(w);
                w = next;
        }
}

void engine_card_certs_drop(Card *c) {
        card_certs_clear(c);
        engine_cert_waiters_wake(&c->cert_waiters, -ENOMEDIUM, NULL);
        engine_cert_waiters_wake(&c->status_waiters, -ENOMEDIUM, NULL);
}

static int certs_parse(Card *c, CardCertFile *files, size_t n) {
        card_certs_clear(c);
        c->certs = calloc(MAX(n, (size_t) 1), sizeof *c->certs);
        if (!c->certs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int r = cert_from_file(&files[i], &c->certs[c->n_certs]);

                if (r < 0)
                        return r;
                c->certs[c->n_certs++].card = c;
        }
        return 0;
}

void engine_card_certs_take(Card *c, CardCertFile *files, size_t n, unsigned apdus, size_t bytes) {
        int r = certs_parse(c, files, n);

        c->certs_loaded = r >= 0;
        if (r < 0)
                log_oom();
        else
                log_info("Read %zu certificates from card %s: %u APDUs, %zu bytes.",
                         c->n_certs, strna(c->serial), apdus, bytes);
        if (c->certs_loaded)
                card_event_certs_read(c);
        engine_cert_waiters_wake(&c->cert_waiters, r, c);
        if (c->certs_loaded)
                engine_card_check_status(c, false);
}

static void certs_job_done(int result, void *userdata) {
        CertsJob *j = userdata;
        Reader *r = engine_reader_find(j->engine, j->reader);
        Card *c = r && r->generation == j->generation ? r->card : NULL;

        if (!c)
                return;         /* the waiters were answered when the card went */
        if (result == -ETIMEDOUT)
                return engine_cert_waiters_wake(&c->cert_waiters, result, c);     /* logged by the module */
        if (result >= 0)
                return engine_card_certs_take(c, j->files, j->n_files, j->apdus, j->bytes);
        log_warning_errno(result, "Could not read the certificates of card %s: %m", strna(c->serial));
        engine_cert_waiters_wake(&c->cert_waiters, result, c);
}

int engine_card_certs(Card *c, EngineCertsDone done, void *userdata) {
        Reader *r = c->reader;
        bool first = !c->cert_waiters;
        CertsJob *j;
        int k;

        if (c->certs_loaded) {
                /* Answers past their nextUpdate are asked for again, in
                 * the background: this call gets the last ones. */
                engine_card_check_status(c, false);
                return 1;
        }
        k = engine_cert_waiter_add(&c->cert_waiters, done, userdata);
        if (k < 0)
                return k;
        if (!first)
                return 0;       /* a read is on its way */

        j = calloc(1, sizeof *j);
        if (j)
                *j = (CertsJob) { .engine = r->engine, .generation = r->generation, .reader = strdup(r->name) };
        k = j && j->reader ? 0 : -ENOMEM;
        if (k >= 0 && c->token && !c->token_pin_only)
                k = token_ref_submit(c->token, "reading the certificates", certs_token_run, certs_job_done,
                                     j, certs_job_free);
        else if (k >= 0)
                k = engine_submit(r->engine, r, certs_job_run, certs_job_done, READER_JOB_RESTART_ON_RESET,
                                  j, certs_job_free);
        if (k < 0) {
                CertWaiter *w = c->cert_waiters;

                if (j)
                        certs_job_free(j);
                c->cert_waiters = w->next;
                free(w);
                return k;
        }
        return 0;
}

CardCert *engine_card_cert(Card *c, const char *id) {
        for (size_t i = 0; i < c->n_certs; i++)
                if (streq(c->certs[i].id, id))
                        return &c->certs[i];
        return NULL;
}
