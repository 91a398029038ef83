/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SoftHSM2 as a card would count PIN tries: a module that hands on every
 * call to the module named by KART_P11_WRAP (SoftHSM2, which only ever
 * sets CKF_USER_PIN_COUNT_LOW) but counts wrong user PINs itself, three
 * tries, and shows CKF_USER_PIN_FINAL_TRY and CKF_USER_PIN_LOCKED as a
 * card's module does. A locked PIN is refused without asking SoftHSM2.
 * KART_P11_LOGIN_MSEC=N makes each C_Login take N ms more. */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define TRIES 3

static CK_FUNCTION_LIST *inner;
static CK_FUNCTION_LIST outer;
static int wrong;

static CK_RV count(CK_RV rv) {
        if (rv == CKR_PIN_INCORRECT && ++wrong >= TRIES)
                return CKR_PIN_LOCKED;
        if (rv == CKR_OK)
                wrong = 0;
        return rv;
}

static CK_RV retry_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info) {
        CK_RV rv = inner->C_GetTokenInfo(slot, info);

        if (rv != CKR_OK)
                return rv;
        info->flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
        if (wrong > 0)
                info->flags |= CKF_USER_PIN_COUNT_LOW;
        if (wrong == TRIES - 1)
                info->flags |= CKF_USER_PIN_FINAL_TRY;
        if (wrong >= TRIES)
                info->flags |= CKF_USER_PIN_LOCKED;
        return CKR_OK;
}

static CK_RV retry_login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG len) {
        const char *slow = getenv("KART_P11_LOGIN_MSEC");

        /* As slow as a card, so that calls sent together queue up. */
        if (slow)
                (void) usleep((useconds_t) atoi(slow) * 1000);
        if (user != CKU_USER)
                return inner->C_Login(s, user, pin, len);
        if (wrong >= TRIES)
                return CKR_PIN_LOCKED;
        return count(inner->C_Login(s, user, pin, len));
}

static CK_RV retry_set_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR *old, CK_ULONG old_len, CK_UTF8CHAR *new,
                           CK_ULONG new_len) {
        if (wrong >= TRIES)
                return CKR_PIN_LOCKED;
        return count(inner->C_SetPIN(s, old, old_len, new, new_len));
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list) {
        const char *path = getenv("KART_P11_WRAP");
        CK_C_GetFunctionList get;
        void *dl;
        CK_RV rv;

        if (!inner) {
                dl = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
                get = dl ? (CK_C_GetFunctionList) dlsym(dl, "C_GetFunctionList") : NULL;
                if (!get)
                        return CKR_GENERAL_ERROR;
                rv = get(&inner);
                if (rv != CKR_OK)
                        return rv;
                outer = *inner;
                outer.C_GetFunctionList = C_GetFunctionList;
                outer.C_GetTokenInfo = retry_get_token_info;
                outer.C_Login = retry_login;
                outer.C_SetPIN = retry_set_pin;
        }
        *list = &outer;
        return CKR_OK;
}
