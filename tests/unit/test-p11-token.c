/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PKCS#11 PIN and certificate jobs against a module kept in this
 * file: what the token's flags let through (design/security.md, "Never
 * lock a card"), and lengths a module gets wrong. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "p11-module.h"
#include "p11-token.h"
#include "token.h"

#define SERIAL "TOKEN0001"
#define VALUE_LEN 32

/* The module's state, set by each test. */
static CK_FLAGS token_flags;
static unsigned logins;
static CK_ULONG value_growth;   /* what the read claims past what it wrote */
static CK_ULONG slots_counted;  /* what C_GetSlotList(NULL) says */
static CK_ULONG slots_listed;   /* what the list it then fills holds */
static bool slots_lie;          /* says CKR_OK with more than it was given room for */

static void pad(unsigned char *field, size_t size, const char *s) {
        memset(field, ' ', size);
        memcpy(field, s, strlen(s));
}

/* Slots 100, 101, ...: the count first, then a list that may have grown. */
static CK_RV get_slot_list(CK_BBOOL present, CK_SLOT_ID *list, CK_ULONG *count) {
        (void) present;
        if (!list) {
                *count = slots_counted;
                slots_counted = slots_listed;   /* counted again: right */
                return CKR_OK;
        }
        if (*count < slots_listed && !slots_lie) {
                *count = slots_listed;
                return CKR_BUFFER_TOO_SMALL;
        }
        for (CK_ULONG i = 0; i < MIN(*count, slots_listed); i++)
                list[i] = 100 + i;
        *count = slots_listed;
        return CKR_OK;
}

static CK_RV get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info) {
        (void) slot;
        memset(info, 0, sizeof *info);
        pad(info->serialNumber, sizeof info->serialNumber, SERIAL);
        info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | token_flags;
        info->ulMinPinLen = 4;
        info->ulMaxPinLen = 8;
        return CKR_OK;
}

static CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify, CK_SESSION_HANDLE *s) {
        (void) slot, (void) flags, (void) app, (void) notify;
        *s = 1;
        return CKR_OK;
}

static CK_RV close_session(CK_SESSION_HANDLE s) {
        (void) s;
        return CKR_OK;
}

static CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG len) {
        (void) s, (void) user;
        logins++;
        return len == 6 && memcmp(pin, "123456", 6) == 0 ? CKR_OK : CKR_PIN_INCORRECT;
}

static CK_RV logout(CK_SESSION_HANDLE s) {
        (void) s;
        return CKR_OK;
}

/* n_objects certificates, handed out objects_per_call at a time. */
static CK_ULONG n_objects, objects_per_call, objects_found;

static CK_RV find_init(CK_SESSION_HANDLE s, CK_ATTRIBUTE *templ, CK_ULONG n) {
        (void) s, (void) templ, (void) n;
        objects_found = 0;
        return CKR_OK;
}

static CK_RV find(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *objects, CK_ULONG max, CK_ULONG *n) {
        (void) s;
        *n = 0;
        while (objects_found < n_objects && *n < MIN(max, objects_per_call))
                objects[(*n)++] = ++objects_found;
        return CKR_OK;
}

static CK_RV find_final(CK_SESSION_HANDLE s) {
        (void) s;
        return CKR_OK;
}

/* A certificate object whose CKA_VALUE is VALUE_LEN bytes of 0xAA. */
static CK_RV get_attribute(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *templ, CK_ULONG n) {
        (void) s, (void) o, (void) n;
        if (templ->type != CKA_VALUE) {
                templ->ulValueLen = CK_UNAVAILABLE_INFORMATION;
                return CKR_ATTRIBUTE_TYPE_INVALID;
        }
        if (!templ->pValue) {
                templ->ulValueLen = VALUE_LEN;
                return CKR_OK;
        }
        if (templ->ulValueLen < VALUE_LEN)
                return CKR_BUFFER_TOO_SMALL;
        memset(templ->pValue, 0xAA, VALUE_LEN);
        templ->ulValueLen = VALUE_LEN + value_growth;
        return CKR_OK;
}

static CK_FUNCTION_LIST functions = {
        .version = { 2, 40 },
        .C_GetSlotList = get_slot_list,
        .C_GetTokenInfo = get_token_info,
        .C_OpenSession = open_session,
        .C_CloseSession = close_session,
        .C_Login = login,
        .C_Logout = logout,
        .C_FindObjectsInit = find_init,
        .C_FindObjects = find,
        .C_FindObjectsFinal = find_final,
        .C_GetAttributeValue = get_attribute,
};

static CardToken token = { .f = &functions, .slot = 1 };

static int setup(void **state) {
        (void) state;
        token_flags = 0;
        logins = 0;
        value_growth = 0;
        slots_counted = slots_listed = 0;
        slots_lie = false;
        n_objects = objects_per_call = 1;
        return 0;
}

static PinRequest verify_request(const char *pin, PinState known, bool newer) {
        return (PinRequest) {
                .op = PIN_OP_VERIFY,
                .pin = pin,
                .serial = SERIAL,
                .info = { .present = true, .type = PKCS15_PIN_TYPE_UTF8, .min_length = 4, .max_length = 8 },
                .status = { known, -1, -1 },
                .status_newer = newer,
        };
}

static void test_final_try_holds(void **state) {
        PinRequest req = verify_request("123456", PIN_STATE_OK, false);

        (void) state;
        token_flags = CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
        assert_int_equal(card_token_pin_run(&token, &req), -EDQUOT);
        assert_int_equal(logins, 0);
        req.force = true;
        assert_int_equal(card_token_pin_run(&token, &req), 0);
        assert_int_equal(logins, 1);
}

/* After an unlock the module did not see, its LOCKED is stale and kartd's
 * own status counts; a final try it shows does not go stale that way. */
static void test_stale_flags_keep_final_try(void **state) {
        PinRequest req = verify_request("000000", PIN_STATE_OK, true);

        (void) state;
        token_flags = CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
        assert_int_equal(card_token_pin_run(&token, &req), -EDQUOT);
        assert_int_equal(logins, 0);
}

static void test_stale_flags_locked_after_unlock(void **state) {
        PinRequest req = verify_request("123456", PIN_STATE_OK, true);

        (void) state;
        token_flags = CKF_USER_PIN_LOCKED;
        assert_int_equal(card_token_pin_run(&token, &req), 0);
        assert_int_equal(logins, 1);
}

static void test_locked_refused(void **state) {
        PinRequest req = verify_request("123456", PIN_STATE_OK, false);

        (void) state;
        token_flags = CKF_USER_PIN_LOCKED;
        req.force = true;
        assert_int_equal(card_token_pin_run(&token, &req), -EKEYEXPIRED);
        assert_int_equal(logins, 0);
}

static void test_other_token_refused(void **state) {
        PinRequest req = verify_request("123456", PIN_STATE_OK, false);

        (void) state;
        req.serial = "TOKEN0002";
        assert_int_equal(card_token_pin_run(&token, &req), -EMEDIUMTYPE);
        assert_int_equal(logins, 0);
}

static void test_value_read(void **state) {
        CardCertFile *files = NULL;
        size_t n = 0, bytes = 0;

        (void) state;
        assert_int_equal(card_token_read_certificates(&token, &files, &n, &bytes), 0);
        assert_int_equal(n, 1);
        assert_non_null(files[0].der);
        assert_int_equal(files[0].der_len, VALUE_LEN);
        card_cert_files_free(files, n);
}

/* The read claims more than the length asked for first: kartd's buffer
 * holds only that much. */
static void test_value_growing_refused(void **state) {
        CardCertFile *files = NULL;
        size_t n = 0, bytes = 0;

        (void) state;
        value_growth = 1000;
        assert_int_equal(card_token_read_certificates(&token, &files, &n, &bytes), 0);
        assert_int_equal(n, 1);
        assert_null(files[0].der);
        assert_int_equal(files[0].der_len, 0);
        card_cert_files_free(files, n);
}

/* A module that hands out one object per C_FindObjects call: all of
 * them are read, up to kartd's bound. */
static void test_objects_one_at_a_time(void **state) {
        CardCertFile *files = NULL;
        size_t n = 0, bytes = 0;

        (void) state;
        n_objects = 3;
        assert_int_equal(card_token_read_certificates(&token, &files, &n, &bytes), 0);
        assert_int_equal(n, 3);
        assert_int_equal(bytes, 3 * VALUE_LEN);
        card_cert_files_free(files, n);

        n_objects = 100;
        objects_per_call = 7;
        assert_int_equal(card_token_read_certificates(&token, &files, &n, &bytes), 0);
        assert_int_equal(n, 16);
        card_cert_files_free(files, n);
}

static void test_slots(void **state) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n = 0;

        (void) state;
        slots_counted = slots_listed = 3;
        assert_int_equal(p11_list_slots(&functions, &slots, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(slots[2], 102);
}

/* Tokens came between the count and the list: counted again, all read. */
static void test_slots_grew(void **state) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n = 0;

        (void) state;
        slots_counted = 1;
        slots_listed = 5;
        assert_int_equal(p11_list_slots(&functions, &slots, &n), 0);
        assert_int_equal(n, 5);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(slots[i], 100 + i);
}

/* A module that says it listed more than it had room for is not read
 * past the buffer. */
static void test_slots_lie(void **state) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n = 0;

        (void) state;
        slots_counted = 1;
        slots_listed = 5;
        slots_lie = true;
        assert_int_equal(p11_list_slots(&functions, &slots, &n), -EBADMSG);
        assert_null(slots);
}

static void test_slots_too_many(void **state) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n = 0;

        (void) state;
        slots_counted = slots_listed = 1000;
        assert_int_equal(p11_list_slots(&functions, &slots, &n), -E2BIG);
        assert_null(slots);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_final_try_holds, setup),
                cmocka_unit_test_setup(test_stale_flags_keep_final_try, setup),
                cmocka_unit_test_setup(test_stale_flags_locked_after_unlock, setup),
                cmocka_unit_test_setup(test_locked_refused, setup),
                cmocka_unit_test_setup(test_other_token_refused, setup),
                cmocka_unit_test_setup(test_value_read, setup),
                cmocka_unit_test_setup(test_value_growing_refused, setup),
                cmocka_unit_test_setup(test_objects_one_at_a_time, setup),
                cmocka_unit_test_setup(test_slots, setup),
                cmocka_unit_test_setup(test_slots_grew, setup),
                cmocka_unit_test_setup(test_slots_lie, setup),
                cmocka_unit_test_setup(test_slots_too_many, setup),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
