/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin key of backend protocol v1 ("Card side"): GET CHALLENGE hands
 * out a one-shot random challenge, EXTERNAL AUTHENTICATE checks
 * C = AES-CMAC(K_card, "KDEA" || challenge) against it and, when right,
 * grants one RESET RETRY COUNTER P1=02/03 (pin.c). Wrong cryptograms count
 * down a persistent admin counter; a right one sets it back to its
 * maximum, as a right PIN does for the PIN counter. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/random.h>

#include "admin-key.h"
#include "cardsim.h"

void admin_get_challenge(Card *c, const Apdu *a, Response *r) {
        if (a->p1 != 0x00 || a->p2 != 0x00) {
                r->sw = 0x6a86;
                return;
        }
        if (a->lc != 0 || !a->has_le || (a->le != 8 && a->le != 16)) {
                r->sw = 0x6700;
                return;
        }
        if (getrandom(c->challenge, a->le, 0) != (ssize_t) a->le) {
                r->sw = 0x6581;
                return;
        }
        c->challenge_len = a->le;
        memcpy(r->data, c->challenge, a->le);
        r->len = a->le;
        r->sw = 0x9000;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n) {
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= a[i] ^ b[i];
        return d == 0;
}

void admin_external_authenticate(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        uint8_t key[CARD_ADMIN_KEY_LEN], want[CARD_ADMIN_KEY_LEN];
        bool right;

        c->admin_granted = false;
        if (a->p1 != 0x00) {
                r->sw = 0x6a86;
                return;
        }
        if (!p->admin || a->p2 != p->admin_key_ref) {
                r->sw = 0x6a88;         /* no such key */
                return;
        }
        if (a->lc != CARD_ADMIN_KEY_LEN) {
                r->sw = 0x6700;
                return;
        }
        if (c->st.admin_tries == 0) {
                r->sw = 0x6983;
                return;
        }
        /* An 8-byte challenge is for other uses: the cryptogram needs 16. */
        if (c->presented_len != ADMIN_CHALLENGE_LEN) {
                r->sw = 0x6985;
                return;
        }

        memcpy(key, p->admin_key, sizeof key);
        if (c->admin_key_swapped)
                for (size_t i = 0; i < sizeof key; i++)
                        key[i] ^= 0xa5;
        if (admin_cryptogram(key, c->presented, want) < 0) {
                explicit_bzero(key, sizeof key);
                r->sw = 0x6581;
                return;
        }
        right = same(want, a->data, sizeof want);
        explicit_bzero(key, sizeof key);
        explicit_bzero(want, sizeof want);

        if (!right) {
                c->st.admin_tries--;
                r->sw = card_save_state(c) < 0 ? 0x6581 : (0x63c0 | c->st.admin_tries);
                return;
        }
        if (c->st.admin_tries != p->admin_tries) {
                c->st.admin_tries = p->admin_tries;
                if (card_save_state(c) < 0) {
                        r->sw = 0x6581;
                        return;
                }
        }
        c->admin_granted = true;
        r->sw = 0x9000;
}
