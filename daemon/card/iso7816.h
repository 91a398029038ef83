/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "card-driver.h"

/* ISO/IEC 7816-4 basic operations, the defaults drivers build on. Status
 * words become -errno through the card's driver (card_conn_check_sw()),
 * whose fallback is the one table here. */

/* The meaning ISO 7816-4 gives a status word: 0 for 9000 and the 62xx
 * warnings, -EKEYREJECTED 63Cx (wrong, x tries left), -EDOM 6700/6A80
 * (length or data refused), -EACCES 6982/6985, -EKEYEXPIRED 6983/6984
 * (blocked), -ENOENT 6A82/6A83/6A88 (not found), -EINVAL 6A86/6B00,
 * -KART_ENOTSUPPORTED 6A81/6D00/6E00, -EIO anything else. */
int iso7816_check_sw(uint16_t sw);
/* Its name, for logs ("file not found"); "unknown" when not listed. */
const char *iso7816_sw_name(uint16_t sw);

/* SELECT (INS A4) with the given P1 and P2. P2 00 asks for the FCI: it
 * goes to fci (NULL: dropped) when it fits, else -EMSGSIZE. */
int iso7816_select(CardConn *c, uint8_t p1, uint8_t p2, const uint8_t *data, size_t len,
                   uint8_t *fci, size_t fci_size, size_t *ret_fci_len);

/* The ISO forms (OpenSC's iso7816_select_file): by AID (P1 04), by path
 * from the MF (08, without the leading 3F00) or from the current DF (09),
 * by file ID (00). No FCI is asked (P2 0C) unless the card insists. */
int iso7816_select_aid(CardConn *c, const uint8_t *aid, size_t aid_len);
int iso7816_select_path(CardConn *c, const uint8_t *path, size_t path_len);
int iso7816_select_fid(CardConn *c, uint16_t fid);

/* Reads the whole current transparent EF, at most max bytes (-EFBIG
 * beyond), in chunks the card's limits allow. *ret is malloc()ed. */
int iso7816_read_binary_all(CardConn *c, size_t max, uint8_t **ret, size_t *ret_len);

/* VERIFY (INS 20) of reference ref. An empty data field asks for the
 * retry counter on cards that take it so: only drivers that know their
 * cards do send it. The status word goes to *sw. */
int iso7816_verify(CardConn *c, uint8_t ref, const uint8_t *data, size_t len, uint16_t *sw);
/* CHANGE REFERENCE DATA (INS 24) with P1 p1. */
int iso7816_change_reference_data(CardConn *c, uint8_t p1, uint8_t ref, const uint8_t *data,
                                  size_t len, uint16_t *sw);

/* GET CHALLENGE (INS 84): len (8 or 16, say) random bytes from the card
 * into buf. -EBADMSG when the card answers 9000 with another length. */
int iso7816_get_challenge(CardConn *c, uint8_t *buf, size_t len, uint16_t *sw);
/* EXTERNAL AUTHENTICATE (INS 82) with key reference key_ref: data is the
 * cryptogram. Sensitive: sent once, never repeated, never traced. */
int iso7816_external_authenticate(CardConn *c, uint8_t key_ref, const uint8_t *data, size_t len,
                                  uint16_t *sw);
/* RESET RETRY COUNTER (INS 2C) with P1 p1 for reference ref; data (a new
 * PIN) is sensitive as for VERIFY. */
int iso7816_reset_retry_counter(CardConn *c, uint8_t p1, uint8_t ref, const uint8_t *data,
                                size_t len, uint16_t *sw);
