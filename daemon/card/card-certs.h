/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkcs15.h"
#include "card-driver.h"

/* A certificate as the card holds it: its CDF entry and its bytes. */
typedef struct CardCertFile {
        Pkcs15Cert meta;
        uint8_t *der;
        size_t der_len;
} CardCertFile;

/* Reads every CDF of the PKCS#15 application and every certificate they
 * point at, each file once and in as few READ BINARYs as the card allows.
 * A certificate that cannot be read is kept with der NULL. *ret_bytes
 * counts the bytes read from the card. */
int card_read_certificates(CardConn *c, CardCertFile **ret, size_t *ret_n, size_t *ret_bytes);
/* The same with the ODF already read in this transaction (by the
 * identification, card_identity_read()): the application is current. */
int card_read_certificates_with_odf(CardConn *c, const uint8_t *odf, size_t odf_len, CardCertFile **ret,
                                    size_t *ret_n, size_t *ret_bytes);
void card_cert_files_free(CardCertFile *c, size_t n);
