/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* ISO 7816-4 basic operations over a transport. Return 0 or -errno
 * (-ENOENT: file not found, -EACCES: security status, -EBADMSG: the card
 * answered nonsense). */

int iso7816_select_aid(Transport *t, const uint8_t *aid, size_t aid_len);
/* path without the leading 3F00 is relative to MF; FID alone (2 bytes)
 * selects within the current DF. */
int iso7816_select_path(Transport *t, const uint8_t *path, size_t path_len);
int iso7816_select_fid(Transport *t, uint16_t fid);

/* Reads the whole current transparent EF, at most max bytes (-EFBIG
 * beyond). *ret is malloc()ed. */
int iso7816_read_binary_all(Transport *t, size_t max, uint8_t **ret, size_t *ret_len);

/* VERIFY (INS 20) of reference ref; data NULL/0 is the empty VERIFY that
 * asks for the retry counter. The status word goes to *sw. */
int iso7816_verify(Transport *t, uint8_t ref, const uint8_t *data, size_t len, uint16_t *sw);
/* CHANGE REFERENCE DATA (INS 24) with P1 p1. */
int iso7816_change_reference_data(Transport *t, uint8_t p1, uint8_t ref, const uint8_t *data,
                                  size_t len, uint16_t *sw);

/* GET CHALLENGE (INS 84): len (8 or 16, say) random bytes from the card
 * into buf. -EBADMSG when the card answers 9000 with another length. */
int iso7816_get_challenge(Transport *t, uint8_t *buf, size_t len, uint16_t *sw);
/* EXTERNAL AUTHENTICATE (INS 82) with key reference key_ref: data is the
 * cryptogram. Sensitive: sent once, never repeated, never traced. */
int iso7816_external_authenticate(Transport *t, uint8_t key_ref, const uint8_t *data, size_t len,
                                  uint16_t *sw);
/* RESET RETRY COUNTER (INS 2C) with P1 p1 for reference ref; data (a new
 * PIN and/or a PUK) is sensitive as for VERIFY. */
int iso7816_reset_retry_counter(Transport *t, uint8_t p1, uint8_t ref, const uint8_t *data,
                                size_t len, uint16_t *sw);
