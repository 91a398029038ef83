/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The revocation status of a card's certificates: OCSP checks after the
 * certificates are read, again when an answer has outlived its nextUpdate,
 * and on request. The clock's verdict (expired, not yet valid) comes first
 * and needs no responder. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "engine-private.h"
#include "log.h"
#include "macro.h"

KartCertStatus engine_cert_status(const CardCert *k, const char **detail) {
        uint64_t now = (uint64_t) time(NULL);
        const char *d = "";
        KartCertStatus s;

        if (!k->readable)
                s = KART_CERT_STATUS_UNREADABLE;
        else if (now > k->info.not_after)
                s = KART_CERT_STATUS_EXPIRED;
        else if (now < k->info.not_before)
                s = KART_CERT_STATUS_NOT_YET_VALID;
        else {
                s = k->status;
                d = strempty(k->status_detail);
        }
        if (detail)
                *detail = d;
        return s;
}

/* Only certificates the clock calls valid are worth a question. */
static bool worth_asking(const CardCert *k) {
        return engine_cert_status(k, NULL) == k->status;
}

static bool apply(Card *c, CardCert *k, OcspCheckResult *res) {
        bool changed = k->status != res->r.status || k->revoked_at != res->r.revoked_at;

        if (changed)
                log_info("Certificate %s of card %s: %s%s%s.", k->id, strna(c->serial),
                         kart_cert_status_to_string(res->r.status), res->r.detail ? " - " : "",
                         strempty(res->r.detail));
        k->status = res->r.status;
        free(k->status_detail);
        k->status_detail = TAKE_PTR(res->r.detail);
        k->revoked_at = res->r.revoked_at;
        k->status_until = res->valid_until;
        return changed;
}

static void check_done(OcspCheckResult *res, void *userdata) {
        CardCert *k = userdata;
        Card *c = k->card;

        k->check = NULL;
        if (apply(c, k, res))
                engine_notify_cert_status_changed(c->reader->engine, c, k);
        if (c->status_pending > 0 && --c->status_pending == 0)
                engine_cert_waiters_wake(&c->status_waiters, 0, c);
}

static int check_one(OcspChecker *checker, Card *c, CardCert *k, const OcspDer *all) {
        OcspDer der = { k->der, k->der_len };
        OcspCheckResult now;
        int r;

        r = ocsp_check_start(checker, &der, k->info.ocsp_urls, all, c->n_certs, check_done, k, &now, &k->check);
        if (r > 0) {
                if (apply(c, k, &now))
                        engine_notify_cert_status_changed(c->reader->engine, c, k);
                ocsp_result_done(&now.r);
        } else if (r == 0)
                c->status_pending++;
        return r;
}

void engine_card_check_status(Card *c, bool force) {
        OcspChecker *checker = engine_ocsp_checker(c->reader->engine);
        uint64_t now = (uint64_t) time(NULL);
        OcspDer *all;

        all = calloc(MAX(c->n_certs, (size_t) 1), sizeof *all);
        for (size_t i = 0; all && i < c->n_certs; i++)
                all[i] = (OcspDer) { c->certs[i].der, c->certs[i].der_len };

        for (size_t i = 0; checker && all && i < c->n_certs; i++) {
                CardCert *k = &c->certs[i];

                /* A check on its way is joined, even when forced: callers
                 * of RefreshStatus cannot starve each other, and there is
                 * at most one request per certificate at a time. */
                if (!worth_asking(k) || k->check || (!force && k->status_until > now))
                        continue;
                if (check_one(checker, c, k, all) < 0)
                        log_warning("Out of memory checking certificate %s of card %s.", k->id, strna(c->serial));
        }
        if (!all)
                log_warning("Out of memory checking the certificates of card %s.", strna(c->serial));
        free(all);
        if (c->status_pending == 0)
                engine_cert_waiters_wake(&c->status_waiters, 0, c);
}

static void refresh_after_read(int result, Card *c, void *userdata) {
        CertWaiter *w = userdata;

        if (!c || result < 0) {
                w->done(result, c, w->userdata);
                free(w);
                return;
        }
        w->next = c->status_waiters;
        c->status_waiters = w;
        engine_card_check_status(c, true);
}

/* RefreshStatus is public: it asks the responder anew at most once per
 * refresh interval per card ([OCSP] RefreshIntervalSec=); sooner, it
 * joins what is known (answers still valid, checks on their way), so no
 * caller can make kartd flood a responder. */
static bool refresh_allowed(Card *c) {
        uint64_t interval = engine_refresh_interval_usec(c->reader->engine), now;
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000;
        if (c->refresh_stamp != 0 && now - c->refresh_stamp < interval) {
                log_debug("Card %s: RefreshStatus again within the refresh interval; joining what is known.",
                          strna(c->serial));
                return false;
        }
        c->refresh_stamp = now;
        return true;
}

int engine_card_refresh_status(Card *c, EngineCertsDone done, void *userdata) {
        CertWaiter *w;
        int r;

        if (c->certs_loaded) {
                r = engine_cert_waiter_add(&c->status_waiters, done, userdata);
                if (r >= 0)
                        engine_card_check_status(c, refresh_allowed(c));
                return r;
        }
        /* Read them first; the waiter moves to the status list then. */
        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (CertWaiter) { .done = done, .userdata = userdata };
        r = engine_card_certs(c, refresh_after_read, w);
        if (r < 0)
                free(w);
        if (r > 0)              /* cannot be: not loaded */
                refresh_after_read(0, c, w);
        return r < 0 ? r : 0;
}
