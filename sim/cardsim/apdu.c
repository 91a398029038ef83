/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* APDU parsing (ISO 7816-3 cases 1-4, short and extended), the command
 * dispatcher (the AKİS flavours' own in akis.c) and the optional T=0
 * behaviour. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardsim.h"
#include "macro.h"

int apdu_parse(const uint8_t *cmd, size_t len, Apdu *a) {
        if (len < 4)
                return -EINVAL;
        *a = (Apdu) { .cla = cmd[0], .ins = cmd[1], .p1 = cmd[2], .p2 = cmd[3] };
        if (len == 4)
                return 0;                               /* case 1 */
        if (len == 5) {                                 /* case 2 short */
                a->has_le = true;
                a->le = cmd[4] ? cmd[4] : 256;
                return 0;
        }
        if (cmd[4] != 0) {                              /* cases 3/4 short */
                size_t lc = cmd[4];
                if (len != 5 + lc && len != 6 + lc)
                        return -EINVAL;
                a->lc = lc;
                a->data = cmd + 5;
                if (len == 6 + lc) {
                        a->has_le = true;
                        a->le = cmd[5 + lc] ? cmd[5 + lc] : 256;
                }
                return 0;
        }
        a->extended = true;
        if (len == 7) {                                 /* case 2 extended */
                a->has_le = true;
                a->le = (cmd[5] << 8 | cmd[6]) ?: 65536;
                return 0;
        }
        size_t lc = cmd[5] << 8 | cmd[6];
        if (lc == 0 || (len != 7 + lc && len != 9 + lc))
                return -EINVAL;
        a->lc = lc;
        a->data = cmd + 7;
        if (len == 9 + lc) {
                a->has_le = true;
                a->le = (cmd[7 + lc] << 8 | cmd[8 + lc]) ?: 65536;
        }
        return 0;
}

/* Commands whose data must never reach a log. */
bool apdu_is_secret(uint8_t ins) {
        return ins == 0x20 || ins == 0x24 || ins == 0x2c || ins == 0x82 || ins == 0x86 || ins == 0x87;
}

int card_save_state(Card *c) {
        int r = state_save(c->state_file, c->profile, &c->st);
        if (r < 0)
                fprintf(stderr, "kart-cardsim: cannot write state file %s: %s\n", c->state_file, strerror(-r));
        return r;
}

int card_init(Card *c, const Profile *p, const char *state_file) {
        int r;

        *c = (Card) { .profile = p, .state_file = state_file };
        if (p->max_response > 0)
                c->max_response = p->max_response;
        else
                c->max_response = flavour_is_akis(p->flavour) ? 244 : 256;
        if (p->extended_apdu >= 0)
                c->extended_apdu = p->extended_apdu;
        else
                c->extended_apdu = !flavour_is_akis(p->flavour);
        if (!c->extended_apdu && c->max_response > 256)
                c->max_response = 256;

        r = pkcs15_build(p, &c->mf);
        if (r < 0)
                return r;
        r = state_load(state_file, p, &c->st);
        if (r == -ENOENT) {
                r = state_init_from_profile(&c->st, p);
                if (r < 0)
                        return r;
                r = card_save_state(c);
        } else if (r < 0)
                fprintf(stderr, "kart-cardsim: cannot load state file %s: %s\n", state_file, strerror(-r));
        if (r < 0)
                return r;
        card_reset(c);
        return 0;
}

void card_done(Card *c) {
        fs_free(c->mf);
        free(c->pending);
        *c = (Card) {};
}

void card_reset(Card *c) {
        c->cur_df = c->mf;
        c->cur_ef = NULL;
        c->pin_verified = false;
        c->puk_verified = false;
        c->system_verified = false;
        c->admin_granted = false;
        explicit_bzero(c->challenge, sizeof c->challenge);
        c->challenge_len = 0;
        free(c->pending);
        c->pending = NULL;
        c->pending_len = 0;
}

static void get_response(Card *c, const Apdu *a, Response *r) {
        if (!c->pending) {
                r->sw = 0x6985;
                return;
        }
        size_t want = a->has_le ? a->le : 256;
        size_t n = want < c->pending_len ? want : c->pending_len;
        memcpy(r->data, c->pending, n);
        r->len = n;
        if (n < c->pending_len) {
                size_t left = c->pending_len - n;
                memmove(c->pending, c->pending + n, left);
                c->pending_len = left;
                r->sw = 0x6100 | (left >= 256 ? 0 : left);
                return;
        }
        free(c->pending);
        c->pending = NULL;
        c->pending_len = 0;
        r->sw = 0x9000;
}

static void dispatch(Card *c, const Apdu *a, Response *r) {
        switch (a->ins) {
        case 0xa4:
                c->admin_granted = false;       /* any SELECT, even a failed one */
                fs_select(c, a, r);
                break;
        case 0xb0:
                fs_read_binary(c, a, r);
                break;
        case 0x20:
                pin_verify(c, a, r);
                break;
        case 0x24:
                pin_change(c, a, r);
                break;
        case 0x2c:
                pin_reset_retry_counter(c, a, r);
                break;
        case 0xca:              /* GET DATA: no data object here */
                r->sw = 0x6a88;
                break;
        case 0x84:
                admin_get_challenge(c, a, r);
                break;
        case 0x82:
                admin_external_authenticate(c, a, r);
                break;
        default:
                r->sw = 0x6d00;
        }
}

static void process(Card *c, const uint8_t *cmd, size_t len, Response *r) {
        bool akis = flavour_is_akis(c->profile->flavour);
        Apdu a;

        if (apdu_parse(cmd, len, &a) < 0 || (a.extended && !c->extended_apdu)) {
                /* AKİS: extended APDUs are not established (OpenSC's v1.0
                 * driver sent none); a malformed one is recorded too. */
                if (akis && len >= 4)
                        akis_record(c, cmd, a.extended ? "extended-apdu" : "malformed-apdu");
                r->sw = 0x6700;
                return;
        }
        if (!akis && (a.cla & 0xfc) != 0x00) {  /* no secure messaging, no chaining */
                r->sw = 0x6e00;
                return;
        }
        if (a.ins == 0xc0 && c->profile->t0 && (!akis || a.cla == 0x00)) {
                get_response(c, &a, r);
                return;
        }
        free(c->pending);
        c->pending = NULL;
        c->pending_len = 0;

        if (akis)
                akis_dispatch(c, &a, r);
        else
                dispatch(c, &a, r);

        if (r->len > c->max_response && a.ins != 0xb0)
                r->len = c->max_response;
        /* T=0: a case 4 command gets 61xx and its data by GET RESPONSE. */
        if (c->profile->t0 && r->len > 0 && a.lc > 0 && (r->sw == 0x9000)) {
                c->pending = malloc(r->len);
                if (!c->pending) {
                        r->len = 0;
                        r->sw = 0x6581;
                        return;
                }
                memcpy(c->pending, r->data, r->len);
                c->pending_len = r->len;
                r->sw = 0x6100 | (r->len >= 256 ? 0 : r->len);
                r->len = 0;
        }
        if (a.has_le && r->len > a.le)
                r->len = a.le;
}

void card_process(Card *c, const uint8_t *cmd, size_t len, Response *r) {
        r->len = 0;
        r->sw = 0;
        /* A challenge lives for exactly one APDU, whatever that is. */
        memcpy(c->presented, c->challenge, c->challenge_len);
        c->presented_len = c->challenge_len;
        explicit_bzero(c->challenge, sizeof c->challenge);
        c->challenge_len = 0;

        process(c, cmd, len, r);

        explicit_bzero(c->presented, sizeof c->presented);
        c->presented_len = 0;
}
