/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AKİS flavours: an AKİS card as the public record describes it (the
 * design note akis.md and the sources it names: OpenSC's card-akis.c for
 * v1.0, TÜBİTAK's MA3 API for the 1.2 and 2.x command sets). Written from
 * that record only, never from kartd's driver: where both share an
 * assumption, a test proves nothing.
 *
 * Each version takes exactly the commands its column of akis.md's table
 * gives. Everything else is refused (6E00 another CLA, 6D00 another INS,
 * 6A86 another P1/P2, 6A88 another reference) and recorded with the
 * reason "not-established-on-this-version". The issuer's commands (the
 * "admin" and "PUK" rows, the system PIN) are not refused quietly: they
 * have their real, harmful effect (akis-pin.c) and are recorded too. The
 * record holds command headers only, never data.
 *
 * Here: the dispatcher, SELECT per version, v1.0's GET DATA and logout,
 * the 1.2 set's phase change, and the record. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "cardsim.h"
#include "macro.h"

#define NOT_ESTABLISHED "not-established-on-this-version"

/* PIN references (akis.md's VERIFY and change rows):
 *  - v1.0: OpenSC changed a PIN whose reference has bit 80 with
 *    00 24 02 <ref & 7F>, any other with 00 24 01 <ref> (the PUK/SO change).
 *    The user PIN is 80 here: its change is then 00 24 02 00, the very bytes
 *    MA3's AKIS10ParolDegistirici sends for the PIN of DF 3D00 (P2 = the
 *    DF's low byte), and its SO/PUK change 00 24 01 00 with its
 *    "PUK" verified as 00 20 00 00: the PUK/SO reference is 00.
 *  - 1.2 and 2.x: user PIN 81 (in the PKCS-15 DF), PUK 82 (MA3's 1.2 class
 *    changes the PUK with 00 24 01 82; its 2.x class verifies DF PIN 2
 *    before 00 2C 02 81), the system PIN 01 at MF level (MA3's 1.2 class:
 *    00 20 00 01 before the issuer's commands). */
uint8_t akis_pin_ref(CardFlavour f) {
        return f == FLAVOUR_AKIS10 ? 0x80 : 0x81;
}

uint8_t akis_puk_ref(CardFlavour f) {
        return f == FLAVOUR_AKIS10 ? 0x00 : 0x82;
}

bool akis_in_app(const Card *c) {
        return c->cur_df && c->cur_df->fid == AKIS_FID_APP && c->cur_df->parent == c->mf;
}

/* ---- the record ---- */

void akis_record(Card *c, const uint8_t *hdr, const char *reason) {
        c->forbidden_total++;
        log_trace("AKIS record: %02X %02X %02X %02X %s", hdr[0], hdr[1], hdr[2], hdr[3], reason);
        if (c->n_forbidden >= CARD_FORBIDDEN_MAX)
                return;
        memcpy(c->forbidden[c->n_forbidden].hdr, hdr, 4);
        c->forbidden[c->n_forbidden].reason = reason;
        c->n_forbidden++;
}

void akis_record_apdu(Card *c, const Apdu *a, const char *reason) {
        akis_record(c, (const uint8_t[]) { a->cla, a->ins, a->p1, a->p2 }, reason);
}

void akis_refuse(Card *c, const Apdu *a, Response *r, uint16_t sw) {
        akis_record_apdu(c, a, NOT_ESTABLISHED);
        r->len = 0;
        r->sw = sw;
}

/* "ok N" or "ok N: 00 24 01 81 set-pin-without-system-pin; ..." (N counts
 * every entry; "; ..." ends a list that does not show them all). */
void akis_record_format(const Card *c, char *reply, size_t size) {
        size_t off = snprintf(reply, size, "ok %lu", c->forbidden_total);
        size_t i;

        for (i = 0; i < c->n_forbidden; i++) {
                char e[96];
                const uint8_t *h = c->forbidden[i].hdr;
                int n = snprintf(e, sizeof e, "%s%02X %02X %02X %02X %s", i ? "; " : ": ", h[0], h[1], h[2],
                                 h[3], c->forbidden[i].reason);
                if (n < 0 || off + (size_t) n + 8 >= size)
                        break;
                memcpy(reply + off, e, (size_t) n + 1);
                off += n;
        }
        if (i < c->forbidden_total && off + 8 < size)
                snprintf(reply + off, size - off, "%s...", i ? "; " : ": ");
}

/* ---- SELECT ---- */

/* v1.0's FCI carries a security byte, tag 90, that OpenSC's
 * akis_process_fci requires; its bits per OpenSC's comment: 01 encrypted,
 * 02 valid, 04 PIN needed, 08 new PIN, 10 read, 20 write, 40 wrong PIN
 * entered once, 80 last try for PIN. Every file here is valid and
 * readable without a PIN; the DF that holds the user PIN carries its
 * tries (akis-pin.c). */
static int security_byte(const Card *c, const FsNode *n) {
        uint8_t sec = 0x02 | 0x10;

        if (n->is_df && n->fid == AKIS_FID_APP)
                sec |= akis_tries_bits(c);
        return sec;
}

static void select_found(Card *c, FsNode *n, Response *r) {
        bool v10 = c->profile->flavour == FLAVOUR_AKIS10;

        if (!n) {
                r->sw = 0x6a82;
                return;
        }
        fs_set_current(c, n);
        fs_put_fcp(n, 0x6f, v10 ? security_byte(c, n) : -1, r);
        if (r->sw == 0)
                r->sw = 0x9000;
}

/* A DF by file ID with P1=00 on v1.0: the MF, the current DF, a child DF
 * of it or its parent. ("AKIS differentiates between EF and DF files when
 * selecting with ID": an EF is not found this way.) */
static FsNode *v10_df(Card *c, uint16_t fid) {
        if (fid == 0x3f00)
                return c->mf;
        if (c->cur_df->fid == fid)
                return c->cur_df;
        if (c->cur_df->parent && c->cur_df->parent->fid == fid)
                return c->cur_df->parent;
        return fs_child(c->cur_df, fid, 1);
}

/* v1.0 (OpenSC's akis_select_file): by path from the MF, P1=08, with or
 * without the leading 3F00; a file ID with P1=02 (an EF in the current
 * DF) or P1=00 (a DF); FCI always asked (P2=00). */
static void select_v10(Card *c, const Apdu *a, Response *r) {
        const uint8_t *p = a->data;
        size_t len = a->lc;

        if (a->p2 != 0x00 || (a->p1 != 0x00 && a->p1 != 0x02 && a->p1 != 0x08)) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (len < 2 || len % 2 != 0 || (a->p1 != 0x08 && len != 2)) {
                r->sw = 0x6700;
                return;
        }
        uint16_t fid = p[0] << 8 | p[1];
        switch (a->p1) {
        case 0x08:
                if (fid == 0x3f00) {
                        p += 2;
                        len -= 2;
                }
                select_found(c, fs_path(c->mf, p, len), r);
                return;
        case 0x00:
                select_found(c, v10_df(c, fid), r);
                return;
        default:
                select_found(c, fs_child(c->cur_df, fid, 0), r);
                return;
        }
}

/* The 1.2 and 2.x sets (and v3's reads): 00 A4 00 00 a file directly
 * under the MF (or the MF), 01 00 a child DF of the current DF, 02 00 an
 * EF in the current DF, 04 00 a DF by name; FCI always returned. No
 * path forms (08, 09), no other P2. */
static void select_v12(Card *c, const Apdu *a, Response *r) {
        if (a->p2 != 0x00 || (a->p1 != 0x00 && a->p1 != 0x01 && a->p1 != 0x02 && a->p1 != 0x04)) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (a->p1 == 0x04) {
                if (a->lc == 0 || a->lc > 16) {
                        r->sw = 0x6700;
                        return;
                }
                select_found(c, fs_df_named(c->mf, a->data, a->lc), r);
                return;
        }
        if (a->p1 == 0x00 && a->lc == 0) {
                select_found(c, c->mf, r);
                return;
        }
        if (a->lc != 2) {
                r->sw = 0x6700;
                return;
        }
        uint16_t fid = a->data[0] << 8 | a->data[1];
        switch (a->p1) {
        case 0x00:
                select_found(c, fid == 0x3f00 ? c->mf : fs_child(c->mf, fid, -1), r);
                return;
        case 0x01:
                select_found(c, fs_child(c->cur_df, fid, 1), r);
                return;
        default:
                select_found(c, fs_child(c->cur_df, fid, 0), r);
                return;
        }
}

/* ---- v1.0: GET DATA, logout ---- */

/* GET DATA 00 CA 01 06, Le 4D (OpenSC's akis_get_serialnr): a block whose
 * bytes 55..66 hold the chip serial. */
static void get_data(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;

        if (a->p1 != 0x01 || a->p2 != 0x06) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (a->lc != 0) {
                r->sw = 0x6700;
                return;
        }
        memset(r->data, 0, 0x4d);
        if (p->akis_serial)
                memcpy(r->data + 55, p->akis_serial, 12);
        else {
                /* the last 6 bytes of the TokenInfo serial, in hex */
                uint8_t last[6] = {};
                size_t n = p->serial_len < 6 ? p->serial_len : 6;
                memcpy(last + 6 - n, p->serial + p->serial_len - n, n);
                for (size_t i = 0; i < 12; i++)
                        r->data[55 + i] = "0123456789ABCDEF"[last[i / 2] >> (i % 2 ? 0 : 4) & 0xf];
        }
        r->len = 0x4d;
        r->sw = 0x9000;
}

/* 80 1A 00 00 (OpenSC's akis_logout): nothing verified any more. */
static void logout(Card *c, const Apdu *a, Response *r) {
        if (a->p1 != 0x00 || a->p2 != 0x00) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (a->lc != 0) {
                r->sw = 0x6700;
                return;
        }
        akis_logout(c);
        r->sw = 0x9000;
}

/* ---- the 1.2 set: the issuer's phase change ---- */

/* 80 09 00 02, sent by MA3's 1.2 classes after the system PIN: the card
 * goes to its administration phase. Without the system PIN: 6982. */
static void phase_change(Card *c, const Apdu *a, Response *r) {
        if (a->p1 != 0x00 || a->p2 != 0x02) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        akis_record_apdu(c, a, c->system_verified ? "phase-change" : "phase-change-without-system-pin");
        r->sw = c->system_verified ? 0x9000 : 0x6982;
}

/* ---- the dispatcher ---- */

static void proprietary(Card *c, const Apdu *a, Response *r) {
        CardFlavour f = c->profile->flavour;

        if (a->ins == 0x1a && f == FLAVOUR_AKIS10)
                logout(c, a, r);
        else if (a->ins == 0x09 && f == FLAVOUR_AKIS12)
                phase_change(c, a, r);
        else
                akis_refuse(c, a, r, 0x6d00);
}

void akis_dispatch(Card *c, const Apdu *a, Response *r) {
        CardFlavour f = c->profile->flavour;
        bool pins = f != FLAVOUR_AKIS3;         /* v3: no PIN command established */

        if (a->cla == 0x80) {
                proprietary(c, a, r);
                return;
        }
        if (a->cla != 0x00) {   /* secure messaging, chaining, channels */
                akis_refuse(c, a, r, 0x6e00);
                return;
        }
        switch (a->ins) {
        case 0xa4:
                if (f == FLAVOUR_AKIS10)
                        select_v10(c, a, r);
                else
                        select_v12(c, a, r);
                return;
        case 0xb0:
                if (a->p1 & 0x80)       /* short EF identifiers */
                        akis_refuse(c, a, r, 0x6a86);
                else
                        fs_read_binary(c, a, r);
                return;
        case 0x20:
                if (pins)
                        akis_verify(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6d00);
                return;
        case 0x24:
                if (pins)
                        akis_change(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6d00);
                return;
        case 0x2c:
                if (f == FLAVOUR_AKIS12 || f == FLAVOUR_AKIS2)
                        akis_reset_retry_counter(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6d00);
                return;
        case 0xca:
                if (f == FLAVOUR_AKIS10)
                        get_data(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6d00);
                return;
        case 0xcb:
                if (f == FLAVOUR_AKIS2)
                        akis_read_header(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6d00);
                return;
        default:
                akis_refuse(c, a, r, 0x6d00);
        }
}
