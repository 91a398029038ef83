/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card-certs.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"

#define ODF_MAX 1024
#define CDF_MAX 8192
#define CERT_MAX 16384
#define MAX_CERTS 16

static const uint8_t odf_fid[] = { 0x50, 0x31 };    /* PKCS#15 v1.1, 5.4 */

void card_cert_files_free(CardCertFile *c, size_t n) {
        if (!c)
                return;
        for (size_t i = 0; i < n; i++) {
                free(c[i].der);
                free(c[i].meta.label);
                free(c[i].meta.direct);
        }
        free(c);
}

static int read_file(CardConn *c, const uint8_t *path, size_t path_len, size_t max,
                     uint8_t **ret, size_t *ret_len, size_t *bytes) {
        int r;

        r = c->model.driver->select_file(c, path, path_len);
        if (r >= 0)
                r = iso7816_read_binary_all(c, max, ret, ret_len);
        if (r >= 0)
                *bytes += *ret_len;
        return r;
}

/* The certificate's bytes: direct, or the file (slice) its path names. */
static int read_cert(CardConn *conn, CardCertFile *c, size_t *bytes) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;
        int r;

        if (c->meta.direct) {
                c->der = malloc(c->meta.direct_len);
                if (!c->der)
                        return -ENOMEM;
                memcpy(c->der, c->meta.direct, c->meta.direct_len);
                c->der_len = c->meta.direct_len;
                return 0;
        }
        if (c->meta.path_len == 0)
                return -EBADMSG;
        r = read_file(conn, c->meta.path, c->meta.path_len, CERT_MAX, &buf, &len, bytes);
        if (r < 0)
                return r;
        if (c->meta.index >= 0 || c->meta.length >= 0) {
                size_t off = c->meta.index >= 0 ? (size_t) c->meta.index : 0;
                size_t n = c->meta.length >= 0 ? (size_t) c->meta.length : len - MIN(off, len);

                if (off > len || n > len - off)
                        return -EBADMSG;
                memmove(buf, buf + off, n);
                len = n;
        }
        c->der = TAKE_PTR(buf);
        c->der_len = len;
        return 0;
}

int card_read_certificates(CardConn *c, CardCertFile **ret, size_t *ret_n, size_t *ret_bytes) {
        _cleanup_free_ uint8_t *odf = NULL;
        size_t len, bytes = 0;
        int r;

        r = c->model.driver->select_app(c);
        if (r >= 0)
                r = read_file(c, odf_fid, sizeof odf_fid, ODF_MAX, &odf, &len, &bytes);
        if (r < 0)
                return r;
        r = card_read_certificates_with_odf(c, odf, len, ret, ret_n, ret_bytes);
        if (r >= 0)
                *ret_bytes += bytes;
        return r;
}

int card_read_certificates_with_odf(CardConn *c, const uint8_t *odf, size_t odf_len, CardCertFile **ret,
                                    size_t *ret_n, size_t *ret_bytes) {
        _cleanup_free_ Pkcs15OdfEntry *dirs = NULL;
        CardCertFile *certs = NULL;
        size_t len, n_dirs = 0, n = 0, bytes = 0;
        int r;

        r = pkcs15_parse_odf(odf, odf_len, &dirs, &n_dirs);
        if (r < 0)
                return r;

        for (size_t d = 0; d < n_dirs; d++) {
                _cleanup_free_ uint8_t *cdf = NULL;
                Pkcs15Cert *entries = NULL;
                size_t n_entries = 0;

                if (dirs[d].type != PKCS15_ODF_CDF && dirs[d].type != PKCS15_ODF_CDF_TRUSTED &&
                    dirs[d].type != PKCS15_ODF_CDF_USEFUL)
                        continue;
                r = read_file(c, dirs[d].path, dirs[d].path_len, CDF_MAX, &cdf, &len, &bytes);
                if (r >= 0)
                        r = pkcs15_parse_cdf(cdf, len, &entries, &n_entries);
                if (card_conn_lost(r))
                        goto fail;
                if (r < 0) {
                        log_warning_errno(r, "Unreadable certificate directory on the card: %m");
                        continue;
                }
                for (size_t i = 0; i < n_entries && n < MAX_CERTS; i++) {
                        CardCertFile *grown = reallocarray(certs, n + 1, sizeof *certs);

                        if (!grown) {
                                pkcs15_certs_free(entries, n_entries);
                                r = -ENOMEM;
                                goto fail;
                        }
                        certs = grown;
                        /* take the entry's owned parts */
                        certs[n++] = (CardCertFile) { .meta = entries[i] };
                        entries[i].label = NULL;
                        entries[i].direct = NULL;
                }
                pkcs15_certs_free(entries, n_entries);
        }

        for (size_t i = 0; i < n; i++) {
                r = read_cert(c, &certs[i], &bytes);
                if (card_conn_lost(r))
                        goto fail;
                if (r < 0)
                        log_warning_errno(r, "Certificate %zu on the card cannot be read: %m", i);
        }
        *ret = certs;
        *ret_n = n;
        *ret_bytes = bytes;
        return 0;
fail:
        card_cert_files_free(certs, n);
        return r;
}
