/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection for tests. Faults act on APDUs only, never on the vpcd
 * control frames, so pcscd's ATR polling keeps working. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cardsim.h"
#include "macro.h"

void faults_clear(Faults *f) {
        *f = (Faults) {
                .kind = FAULT_NONE,
                .kind_count = -1,
                .remove_after = -1,
                .remove_on_ins = -1,
                .tear_on_ins = -1,
                .remove_after_ins = -1,
        };
}

static int parse_long(const char *s, long lo, long hi, long *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < lo || v > hi)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_ins(const char *s, int *ret) {
        uint8_t b;
        size_t n;
        if (parse_hex(s, &b, 1, &n) < 0 || n != 1)
                return -EINVAL;
        *ret = b;
        return 0;
}

int faults_command(Faults *f, char **argv, size_t argc, const char **error) {
        static const struct {
                const char *name;
                FaultKind kind;
        } kinds[] = {
                { "garbage", FAULT_GARBAGE },
                { "truncated", FAULT_TRUNCATED },
                { "short", FAULT_SHORT },
                { "6f00", FAULT_6F00 },
        };
        long v;

        *error = "usage: fault none|garbage|truncated|short|6f00 [COUNT] | remove-after N | "
                 "remove-on-ins XX | remove-after-ins XX | tear-on-ins XX | tear-rrc | swap-admin-key | "
                 "delay MS";
        if (argc < 1)
                return -EINVAL;
        if (streq(argv[0], "none") && argc == 1) {
                faults_clear(f);
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (streq(argv[0], kinds[i].name)) {
                        if (argc > 2)
                                return -EINVAL;
                        if (argc == 2 && parse_long(argv[1], 1, 1000000, &v) < 0)
                                return -EINVAL;
                        f->kind = kinds[i].kind;
                        f->kind_count = argc == 2 ? v : -1;
                        return 0;
                }
        if (argc == 1 && streq(argv[0], "tear-rrc")) {
                /* the torn unlock: the new PIN is set, the reply lost */
                f->tear_on_ins = 0x2c;
                return 0;
        }
        if (argc == 1 && streq(argv[0], "swap-admin-key")) {
                f->swap_admin_key = true;
                return 0;
        }
        if (argc != 2)
                return -EINVAL;
        if (streq(argv[0], "remove-after")) {
                if (parse_long(argv[1], 0, 1000000, &v) < 0)
                        return -EINVAL;
                f->remove_after = v;
                return 0;
        }
        if (streq(argv[0], "remove-on-ins"))
                return parse_ins(argv[1], &f->remove_on_ins);
        if (streq(argv[0], "tear-on-ins"))
                return parse_ins(argv[1], &f->tear_on_ins);
        if (streq(argv[0], "remove-after-ins"))
                return parse_ins(argv[1], &f->remove_after_ins);
        if (streq(argv[0], "delay")) {
                if (parse_long(argv[1], 0, 600000, &v) < 0)
                        return -EINVAL;
                f->delay_ms = v;
                return 0;
        }
        return -EINVAL;
}

FaultAction faults_before(Faults *f, uint8_t ins) {
        if (f->remove_on_ins == ins) {
                f->remove_on_ins = -1;
                return FAULT_ACT_REMOVE;
        }
        if (f->tear_on_ins == ins) {
                f->tear_on_ins = -1;
                return FAULT_ACT_TEAR;
        }
        if (f->remove_after_ins == ins) {
                f->remove_after_ins = -1;
                return FAULT_ACT_TEAR;
        }
        return FAULT_ACT_REPLY;
}

FaultAction faults_after(Faults *f, uint8_t *reply, size_t *len) {
        if (f->kind != FAULT_NONE) {
                switch (f->kind) {
                case FAULT_GARBAGE:
                        /* Random bytes with a success status: a parser must
                         * reject it on content, not on the SW. */
                        if (getrandom(reply, 40, 0) != 40)
                                memset(reply, 0xa5, 40);
                        reply[40] = 0x90;
                        reply[41] = 0x00;
                        *len = 42;
                        break;
                case FAULT_TRUNCATED:
                        /* Half of the data, SW 9000: a cut TLV. */
                        if (*len > 2) {
                                size_t data = (*len - 2) / 2;
                                reply[data] = 0x90;
                                reply[data + 1] = 0x00;
                                *len = data + 2;
                        }
                        break;
                case FAULT_SHORT:
                        reply[0] = 0x90;
                        *len = 1;
                        break;
                case FAULT_6F00:
                        reply[0] = 0x6f;
                        reply[1] = 0x00;
                        *len = 2;
                        break;
                case FAULT_NONE:
                        break;
                }
                if (f->kind_count > 0 && --f->kind_count == 0) {
                        f->kind = FAULT_NONE;
                        f->kind_count = -1;
                }
        }
        /* remove-after N: answer N more APDUs, then the card is gone. */
        if (f->remove_after > 0 && --f->remove_after == 0) {
                f->remove_after = -1;
                return FAULT_ACT_REPLY_REMOVE;
        }
        return FAULT_ACT_REPLY;
}
