/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state file: PINs and counters that survive removal and restarts.
 *
 *   [state]
 *   pin = 313233343536FFFF      ; padded reference data, hex
 *   puk = 3132333435363738
 *   pin_tries = 3
 *   puk_tries = 3
 *   admin_tries = 10            ; optional (default: the profile's maximum)
 *   system_tries = 3            ; optional, AKİS's system PIN (default: maximum)
 *
 * Rewritten atomically (temporary file + rename) on every change. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cardsim.h"
#include "macro.h"

int pin_pad(const char *value, unsigned stored, uint8_t pad, uint8_t out[CARD_PIN_MAX]) {
        size_t n = strlen(value);
        if (n > stored || stored > CARD_PIN_MAX)
                return -EINVAL;
        memset(out, 0, CARD_PIN_MAX);
        memcpy(out, value, n);
        memset(out + n, pad, stored - n);
        return 0;
}

int state_init_from_profile(PinState *s, const Profile *p) {
        *s = (PinState) {
                .pin_tries = p->pin_tries,
                .puk_tries = p->puk_tries,
                .admin_tries = p->admin_tries,
                .system_tries = p->system_tries,
        };
        if (pin_pad(p->pin, p->pin_stored, p->pad_char, s->pin) < 0 ||
            pin_pad(p->puk, p->puk_stored, p->pad_char, s->puk) < 0)
                return -EINVAL;
        return 0;
}

typedef struct LoadCtx {
        const Profile *p;
        PinState *s;
        unsigned seen;
} LoadCtx;

static int load_handler(void *user, const char *section, const char *name, const char *value) {
        LoadCtx *ctx = user;
        size_t n;

        if (!name)
                return streq(section, "state");
        if (!streq(section, "state"))
                return 0;
        if (streq(name, "pin")) {
                if (parse_hex(value, ctx->s->pin, CARD_PIN_MAX, &n) < 0 || n != ctx->p->pin_stored)
                        return 0;
                ctx->seen |= 1;
        } else if (streq(name, "puk")) {
                if (parse_hex(value, ctx->s->puk, CARD_PIN_MAX, &n) < 0 || n != ctx->p->puk_stored)
                        return 0;
                ctx->seen |= 2;
        } else if (streq(name, "pin_tries") || streq(name, "puk_tries")) {
                char *end;
                unsigned long v = strtoul(value, &end, 10);
                bool pin = name[1] == 'i';
                if (end == value || *end || v > (pin ? ctx->p->pin_tries : ctx->p->puk_tries))
                        return 0;
                *(pin ? &ctx->s->pin_tries : &ctx->s->puk_tries) = v;
                ctx->seen |= pin ? 4 : 8;
        } else if (streq(name, "admin_tries")) {
                char *end;
                unsigned long v = strtoul(value, &end, 10);
                if (end == value || *end)
                        return 0;
                /* clamped: the profile's [admin] may have changed since */
                ctx->s->admin_tries = v < ctx->p->admin_tries ? v : ctx->p->admin_tries;
        } else if (streq(name, "system_tries")) {
                char *end;
                unsigned long v = strtoul(value, &end, 10);
                if (end == value || *end)
                        return 0;
                ctx->s->system_tries = v < ctx->p->system_tries ? v : ctx->p->system_tries;
        } else
                return 0;
        return 1;
}

int state_load(const char *file, const Profile *p, PinState *s) {
        PinState tmp = { .admin_tries = p->admin_tries, .system_tries = p->system_tries };
        LoadCtx ctx = { .p = p, .s = &tmp };

        int r = ini_parse(file, load_handler, &ctx);
        if (r == -1)
                return -errno;
        if (r != 0) {
                fprintf(stderr, "%s:%d: bad state file line (lengths must match the profile)\n", file, r);
                return -EINVAL;
        }
        if (ctx.seen != 15) {
                fprintf(stderr, "%s: state file lacks pin, puk, pin_tries or puk_tries\n", file);
                return -EINVAL;
        }
        *s = tmp;
        return 0;
}

static int write_hex(FILE *f, const char *key, const uint8_t *v, size_t n) {
        fprintf(f, "%s = ", key);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02X", v[i]);
        return fputc('\n', f) == EOF ? -EIO : 0;
}

int state_save(const char *file, const Profile *p, const PinState *s) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        FILE *f;

        if (asprintf(&tmp, "%s.tmp.%d", file, (int) getpid()) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                int r = -errno;
                unlink(tmp);
                return r;
        }
        fd = -1;        /* owned by f now */
        fprintf(f, "# kart-cardsim state; rewritten on every change\n[state]\n");
        write_hex(f, "pin", s->pin, p->pin_stored);
        write_hex(f, "puk", s->puk, p->puk_stored);
        fprintf(f, "pin_tries = %u\npuk_tries = %u\nadmin_tries = %u\n", s->pin_tries, s->puk_tries,
                s->admin_tries);
        if (flavour_is_akis(p->flavour))
                fprintf(f, "system_tries = %u\n", s->system_tries);
        if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
                int r = negative_errno();
                fclose(f);
                unlink(tmp);
                return r;
        }
        if (fclose(f) != 0 || rename(tmp, file) < 0) {
                int r = negative_errno();
                unlink(tmp);
                return r;
        }
        return 0;
}
