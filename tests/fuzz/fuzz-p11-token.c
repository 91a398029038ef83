/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for what a PKCS#11 module tells kartd
 * (daemon/card/p11-token.c): a module whose every answer comes from the
 * input (return values, the token's info with its padded strings and
 * flags, object lists, attribute lengths and values, lengths that change
 * between the length query and the read) serves an identification, a
 * certificate listing and one PIN operation. What kartd does with it is
 * checked: strings are whole and printable, no read goes past a buffer
 * (ASan), a PIN goes to the module at most once (twice only after
 * CKR_USER_ALREADY_LOGGED_IN), never on a token whose flags say its last
 * try or locked without force, never as the SO, and never C_InitPIN or
 * C_InitToken (left NULL: a call would crash). */
#include "config.h"

#include <assert.h>
#include <string.h>

#include "card-certs.h"
#include "card-identity.h"
#include "card-pin.h"
#include "fuzz-input.h"
#include "p11-module.h"
#include "p11-token.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FuzzInput in;
static unsigned pin_calls, already_logged_in;
static CK_FLAGS flags_seen, flags_at_pin;   /* the token's last flags; those when a PIN went */

/* A return value: mostly CKR_OK, else one of those a module gives. */
static CK_RV rv(void) {
        static const CK_RV values[] = {
                CKR_OK, CKR_OK, CKR_OK, CKR_OK, CKR_GENERAL_ERROR, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
                CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_LEN_RANGE, CKR_USER_ALREADY_LOGGED_IN,
                CKR_BUFFER_TOO_SMALL, CKR_SESSION_HANDLE_INVALID, CKR_ARGUMENTS_BAD, CKR_FUNCTION_FAILED,
                CKR_DEVICE_ERROR,
        };
        return values[fuzz_u8(&in) % (sizeof values / sizeof *values)];
}

static void fill(unsigned char *field, size_t size) {
        for (size_t i = 0; i < size; i++)
                field[i] = fuzz_u8(&in);
}

static CK_RV get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info) {
        (void) slot;
        fill(info->label, sizeof info->label);
        fill(info->manufacturerID, sizeof info->manufacturerID);
        fill(info->model, sizeof info->model);
        fill(info->serialNumber, sizeof info->serialNumber);
        info->flags = fuzz_u32(&in);
        info->ulMinPinLen = fuzz_u32(&in);
        info->ulMaxPinLen = fuzz_u32(&in);
        flags_seen = info->flags;
        return rv();
}

static CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify, CK_SESSION_HANDLE *ret) {
        (void) slot, (void) flags, (void) app, (void) notify;
        *ret = 7;
        return rv();
}

static CK_RV close_session(CK_SESSION_HANDLE s) {
        (void) s;
        return rv();
}

static CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG len) {
        CK_RV r = rv();

        (void) s;
        assert(user == CKU_USER);
        assert(pin && len > 0);
        if (++pin_calls == 1)
                flags_at_pin = flags_seen;
        assert(pin_calls == 1 || (pin_calls == 2 && already_logged_in == 1));
        if (r == CKR_USER_ALREADY_LOGGED_IN)
                already_logged_in++;
        return r;
}

static CK_RV set_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR *old, CK_ULONG old_len, CK_UTF8CHAR *new, CK_ULONG new_len) {
        (void) s;
        assert(old && old_len > 0 && new && new_len > 0);
        if (++pin_calls == 1)
                flags_at_pin = flags_seen;
        assert(pin_calls == 1);
        return rv();
}

static CK_RV logout(CK_SESSION_HANDLE s) {
        (void) s;
        return rv();
}

static CK_RV find_init(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n) {
        (void) s, (void) t, (void) n;
        return rv();
}

static CK_RV find(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *objects, CK_ULONG max, CK_ULONG *count) {
        (void) s;
        *count = fuzz_u8(&in) % 24;     /* sometimes more than there is room for: a lying module */
        for (CK_ULONG i = 0; i < *count && i < max; i++)
                objects[i] = fuzz_u16(&in);
        return rv();
}

static CK_RV find_final(CK_SESSION_HANDLE s) {
        (void) s;
        return rv();
}

/* The length asked (pValue NULL) or the value: both from the input, the
 * value written only within the buffer given, the length said anything. */
static CK_RV get_attribute(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a, CK_ULONG n) {
        size_t len;
        const uint8_t *value = fuzz_chunk(&in, &len);

        (void) s, (void) o;
        assert(n == 1);
        if (a->pValue) {
                size_t room = a->ulValueLen;

                memcpy(a->pValue, value, len < room ? len : room);
        }
        a->ulValueLen = fuzz_u8(&in) == 0xFF ? CK_UNAVAILABLE_INFORMATION : (a->pValue ? len : fuzz_u16(&in));
        return rv();
}

static CK_FUNCTION_LIST functions = {
        .version = { 2, 40 },
        .C_GetTokenInfo = get_token_info,
        .C_OpenSession = open_session,
        .C_CloseSession = close_session,
        .C_Login = login,
        .C_Logout = logout,
        .C_SetPIN = set_pin,
        .C_FindObjectsInit = find_init,
        .C_FindObjects = find,
        .C_FindObjectsFinal = find_final,
        .C_GetAttributeValue = get_attribute,
};

static void check_text(const char *s) {
        for (; s && *s; s++)
                assert((unsigned char) *s >= 0x20 && *s != 0x7F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        CardToken token = { .f = &functions, .slot = 1 };
        CardIdentity id = {};
        CardCertFile *certs = NULL;
        size_t n = 0, bytes = 0;
        uint8_t op;

        in = (FuzzInput) { data, size };
        pin_calls = already_logged_in = 0;
        op = fuzz_u8(&in);

        if (card_token_identity_read(&token, &id) >= 0) {
                check_text(id.serial);
                check_text(id.label);
                check_text(id.model.name);
                assert(!id.pin.present || id.pin.max_length == 0 || id.pin.min_length <= id.pin.max_length);
        }
        if (card_token_read_certificates(&token, &certs, &n, &bytes) >= 0) {
                size_t sum = 0;

                assert(n <= 16);
                for (size_t i = 0; i < n; i++) {
                        assert(certs[i].meta.id_len <= sizeof certs[i].meta.id);
                        assert(certs[i].der || certs[i].der_len == 0);     /* unreadable: no bytes claimed */
                        check_text(certs[i].meta.label);
                        sum += certs[i].der_len;
                }
                assert(sum == bytes);
                card_cert_files_free(certs, n);
        }
        if (id.serial && id.pin.present) {
                PinRequest req = {
                        .op = op & 1 ? PIN_OP_CHANGE : PIN_OP_VERIFY,
                        .pin = "123456",
                        .new_pin = "24681357",
                        .force = op & 2,
                        .serial = id.serial,
                        .info = id.pin,
                        .status = id.pin_status,
                };
                int r;

                pin_calls = already_logged_in = 0;
                r = card_token_pin_run(&token, &req);
                /* the flags read just before the PIN call guard it */
                if (pin_calls > 0 && !req.force)
                        assert(!(flags_at_pin & (CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)));
                if (r >= 0)
                        assert(req.sent && pin_calls > 0);
        }
        card_identity_done(&id);
        return 0;
}
