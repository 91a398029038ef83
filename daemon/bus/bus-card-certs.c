/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.kartd.Kartd1.Card: the certificate methods. The certificates are
 * read from the card once per insertion; a call that comes before that
 * waits for the read and is answered by certs_ready(). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"

static int reply_list(sd_bus_message *m, Card *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssssttss)");
        for (size_t i = 0; r >= 0 && i < c->n_certs; i++) {
                const CardCert *k = &c->certs[i];

                r = sd_bus_message_append(reply, "(sssssttss)", k->id, k->label,
                                          k->info.subject ?: "", k->info.issuer ?: "", k->info.serial ?: "",
                                          k->info.not_before, k->info.not_after,
                                          kart_cert_status_to_string(engine_cert_status(k, NULL)),
                                          k->info.sha256 ?: "");
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int find_cert(sd_bus_message *m, Card *c, CardCert **ret) {
        const char *id;
        int r;

        r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        *ret = engine_card_cert(c, id);
        if (*ret)
                return 1;
        /* Answered here: the caller has nothing more to send. */
        r = sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                       "No certificate with id '%s' on this card.",
                                       echo_prefix(id, (char[ECHO_MAX + 4]) {}));
        return r < 0 ? r : 0;
}

static int reply_der(sd_bus_message *m, Card *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        CardCert *k;
        int r;

        r = find_cert(m, c, &k);
        if (r <= 0)
                return r;
        if (!k->der)
                return sd_bus_reply_method_errorf(m, KART_ERROR_FAILED, "The certificate could not be read from the card.");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', k->der, k->der_len);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_entry(sd_bus_message *reply, const char *key, ...) {
        va_list ap;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0) {
                va_start(ap, key);
                r = sd_bus_message_appendv(reply, "v", ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_strv(sd_bus_message *reply, const char *key, char **l) {
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, l);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int reply_info(sd_bus_message *m, Card *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        KartCertStatus status;
        const char *detail;
        CardCert *k;
        int r;

        r = find_cert(m, c, &k);
        if (r <= 0)
                return r;
        status = engine_cert_status(k, &detail);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0) r = append_entry(reply, "id", "s", k->id);
        if (r >= 0) r = append_entry(reply, "label", "s", k->label);
        if (r >= 0) r = append_entry(reply, "status", "s", kart_cert_status_to_string(status));
        if (r >= 0) r = append_entry(reply, "status_detail", "s", detail);
        if (r >= 0) r = append_entry(reply, "revoked_at", "t", k->revoked_at);
        if (r >= 0) r = append_entry(reply, "status_checked_until", "t", k->status_until);
        if (r >= 0 && k->readable) {
                const CertInfo *i = &k->info;
                char *empty[] = { NULL };

                r = append_entry(reply, "subject", "s", i->subject ?: "");
                if (r >= 0) r = append_entry(reply, "subject_cn", "s", i->subject_cn ?: "");
                if (r >= 0) r = append_entry(reply, "issuer", "s", i->issuer ?: "");
                if (r >= 0) r = append_entry(reply, "serial", "s", i->serial ?: "");
                if (r >= 0) r = append_entry(reply, "not_before", "t", i->not_before);
                if (r >= 0) r = append_entry(reply, "not_after", "t", i->not_after);
                if (r >= 0) r = append_entry(reply, "sha256", "s", i->sha256 ?: "");
                if (r >= 0) r = append_entry(reply, "qualified", "b", (int) i->qualified);
                if (r >= 0) r = append_entry(reply, "ca", "b", (int) i->ca);
                if (r >= 0) r = append_strv(reply, "key_usage", i->key_usage ?: empty);
                if (r >= 0) r = append_strv(reply, "extended_key_usage", i->extended_key_usage ?: empty);
                if (r >= 0) r = append_strv(reply, "policies", i->policies ?: empty);
                if (r >= 0) r = append_strv(reply, "ocsp_urls", i->ocsp_urls ?: empty);
                if (r >= 0) r = append_strv(reply, "ca_issuer_urls", i->ca_issuer_urls ?: empty);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_for(sd_bus_message *m, Card *c) {
        const char *member = sd_bus_message_get_member(m);

        if (streq(member, "RefreshStatus"))
                return sd_bus_reply_method_return(m, NULL);
        if (streq(member, "GetCertificate"))
                return reply_der(m, c);
        if (streq(member, "GetCertificateInfo"))
                return reply_info(m, c);
        return reply_list(m, c);
}

static void certs_ready(int result, Card *c, void *userdata) {
        sd_bus_message *m = userdata;
        int r;

        if (!c)
                r = sd_bus_reply_method_errorf(m, KART_ERROR_CARD_REMOVED, "The card was removed.");
        else if (result < 0)
                r = sd_bus_reply_method_errorf(m, KART_ERROR_FAILED,
                                               "The certificates could not be read: %s.", strerror(-result));
        else
                r = reply_for(m, c);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a certificate call: %m");
        sd_bus_message_unref(m);
}

int bus_card_method_certificates(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Card *c = userdata;
        int r;

        r = auth_check(bus_context_of(c->reader->engine)->auth, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        /* RefreshStatus is always answered by certs_ready(), maybe before
         * this returns; the others by reply_for() when the certificates
         * are there. */
        if (streq(sd_bus_message_get_member(m), "RefreshStatus"))
                r = engine_card_refresh_status(c, certs_ready, sd_bus_message_ref(m));
        else
                r = engine_card_certs(c, certs_ready, sd_bus_message_ref(m));
        if (r != 0)
                sd_bus_message_unref(m);
        if (r < 0)
                return r;
        if (r > 0)
                return reply_for(m, c);
        return 1;       /* answered by certs_ready() */
}
