/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "p11-module.h"
#include "p11-token.h"
#include "strutil.h"
#include "strv.h"

/* The logical jobs on a PKCS#11 token, on its module's thread. Every
 * count and length the module returns is bounded before use. */

#define MAX_SLOTS 64
#define MAX_CERTS 16
#define CERT_MAX 16384

/* The slots (with a token present, or all); -E2BIG for more than MAX_SLOTS. */
static int list_slots(CK_FUNCTION_LIST *f, CK_BBOOL token_present, CK_SLOT_ID **ret, size_t *ret_n) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        CK_ULONG n = 0, size = 0;
        CK_RV rv = CKR_BUFFER_TOO_SMALL;

        /* A token may come between the call that counts and the one that
         * lists, which then says CKR_BUFFER_TOO_SMALL and the new count
         * (with the list unfilled): count again, a few times. What the
         * module says it wrote must fit in what it was given. */
        for (unsigned i = 0; i < 3 && rv == CKR_BUFFER_TOO_SMALL; i++) {
                rv = f->C_GetSlotList(token_present, NULL, &n);
                if (rv != CKR_OK)
                        return p11_rv_to_errno(rv);
                if (n > MAX_SLOTS)
                        return -E2BIG;
                if (n == 0)
                        break;  /* p11-kit's RPC takes an empty buffer for none: no second call */
                size = n;
                free(slots);
                slots = calloc(size + 1, sizeof *slots);
                if (!slots)
                        return -ENOMEM;
                rv = f->C_GetSlotList(token_present, slots, &n);
        }
        if (rv != CKR_OK)
                return rv == CKR_BUFFER_TOO_SMALL ? -EAGAIN : p11_rv_to_errno(rv);
        if (n > size)
                return -EBADMSG;
        *ret = TAKE_PTR(slots);
        *ret_n = n;
        return 0;
}

int p11_list_slots(CK_FUNCTION_LIST *f, CK_SLOT_ID **ret, size_t *ret_n) {
        return list_slots(f, CK_TRUE, ret, ret_n);
}

bool p11_has_soft_slot(CK_FUNCTION_LIST *f) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n;

        if (list_slots(f, CK_FALSE, &slots, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                CK_SLOT_INFO info = {};

                if (f->C_GetSlotInfo(slots[i], &info) == CKR_OK && !(info.flags & CKF_HW_SLOT))
                        return true;
        }
        return false;
}

int p11_slot_describe(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, char **ret, bool *ret_hardware) {
        CK_SLOT_INFO info = {};
        CK_RV rv;

        rv = f->C_GetSlotInfo(slot, &info);
        if (rv != CKR_OK)
                return p11_rv_to_errno(rv);
        if (!(info.flags & CKF_TOKEN_PRESENT))
                return -ENOMEDIUM;
        *ret = p11_trim(info.slotDescription, sizeof info.slotDescription);
        if (!*ret)
                return -ENOMEM;
        *ret_hardware = info.flags & CKF_HW_SLOT;
        return 0;
}

/* slotDescription holds 64 bytes: a longer reader name is cut there. */
static bool slot_is_reader(const char *desc, const char *reader) {
        size_t n = strnlen(reader, 65);

        if (n <= 64)
                return streq(desc, reader);
        n = 64;
        while (n > 0 && reader[n - 1] == ' ')
                n--;
        return strlen(desc) == n && strncmp(desc, reader, n) == 0;
}

int p11_find_slot(CK_FUNCTION_LIST *f, const char *reader, CK_SLOT_ID *ret) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        size_t n;
        int r;

        r = p11_list_slots(f, &slots, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *desc = NULL;
                bool hw;

                if (p11_slot_describe(f, slots[i], &desc, &hw) >= 0 && slot_is_reader(desc, reader)) {
                        *ret = slots[i];
                        return 0;
                }
        }
        return -ENOENT;
}

int p11_soft_slots(CK_FUNCTION_LIST *f, char ***ret) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        char **names = NULL;
        size_t n;
        int r;

        r = p11_list_slots(f, &slots, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                CK_TOKEN_INFO info = {};
                char *desc = NULL;
                bool hw, dup = false;

                /* A blank token (SoftHSM's free slot) is not a card yet. */
                if (p11_slot_describe(f, slots[i], &desc, &hw) < 0 || hw || !*desc ||
                    f->C_GetTokenInfo(slots[i], &info) != CKR_OK || !(info.flags & CKF_TOKEN_INITIALIZED)) {
                        free(desc);
                        continue;
                }
                for (size_t k = 0; names && names[k] && !dup; k++)
                        dup = streq(names[k], desc);
                if (dup) {
                        free(desc);
                        continue;
                }
                r = strv_push(&names, desc);
                if (r < 0) {
                        strv_free(names);
                        return r;
                }
        }
        *ret = names ?: strv_new_empty();
        return *ret ? 0 : -ENOMEM;
}

static void status_from_flags(CK_FLAGS flags, PinStatus *s) {
        if (flags & CKF_USER_PIN_LOCKED) {
                s->state = PIN_STATE_LOCKED;
                s->tries_left = 0;
        } else if (flags & CKF_USER_PIN_FINAL_TRY) {
                s->state = PIN_STATE_LAST_TRY;
                s->tries_left = 1;
        } else {
                /* COUNT_LOW says a try was spent, not how many are left. */
                s->state = PIN_STATE_OK;
                s->tries_left = -1;
        }
}

static int token_info(CardToken *t, CK_TOKEN_INFO *ret) {
        CK_RV rv;

        *ret = (CK_TOKEN_INFO) {};
        rv = t->f->C_GetTokenInfo(t->slot, ret);
        return p11_rv_to_errno(rv);
}

int card_token_identity_read(CardToken *t, CardIdentity *ret) {
        CardIdentity id = { .driver = p11_module_driver(t->module), .pin_status = PIN_STATUS_UNKNOWN };
        _cleanup_free_ char *model = NULL;
        CK_TOKEN_INFO info;
        int r;

        r = token_info(t, &info);
        if (r < 0)
                return r;
        id.serial = p11_trim(info.serialNumber, sizeof info.serialNumber);
        id.label = p11_trim(info.label, sizeof info.label);
        model = p11_trim(info.model, sizeof info.model);
        if (model && !*model) {
                free(model);
                model = p11_trim(info.manufacturerID, sizeof info.manufacturerID);
        }
        if (!id.serial || !id.label || !model) {
                card_identity_done(&id);
                return -ENOMEM;
        }
        if (!*id.serial)
                id.serial = mfree(id.serial);
        snprintf(id.model.name, sizeof id.model.name, "%s", *model ? model : "PKCS#11 token");
        /* A PIN kartd can pass on: typed by the user, not on a pad. */
        if ((info.flags & CKF_USER_PIN_INITIALIZED) && !(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH)) {
                id.pin = (CardPinInfo) {
                        .present = true,
                        .type = PKCS15_PIN_TYPE_UTF8,
                        .min_length = (uint32_t) MIN(info.ulMinPinLen, (CK_ULONG) PKCS15_PIN_MAX_LENGTH),
                        .max_length = (uint32_t) MIN(info.ulMaxPinLen, (CK_ULONG) PKCS15_PIN_MAX_LENGTH),
                        .puk_reference = -1,
                };
                if (id.pin.max_length < id.pin.min_length)
                        id.pin.max_length = 0;  /* nonsense: the default bound */
                status_from_flags(info.flags, &id.pin_status);
        }
        *ret = id;
        return 0;
}

static int open_session(CardToken *t, bool rw, CK_SESSION_HANDLE *ret) {
        CK_RV rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL, NULL, ret);

        return p11_rv_to_errno(rv);
}

/* One attribute of unknown length, bounded by max. */
static int get_attribute(CardToken *t, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
                         size_t max, uint8_t **ret, size_t *ret_len) {
        CK_ATTRIBUTE a = { .type = type };
        CK_ULONG size;
        uint8_t *buf;
        CK_RV rv;

        rv = t->f->C_GetAttributeValue(s, o, &a, 1);
        if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
                return -ENODATA;
        if (a.ulValueLen > max)
                return -EFBIG;
        size = a.ulValueLen;
        buf = calloc(1, size + 1);      /* NUL-terminated, for labels */
        if (!buf)
                return -ENOMEM;
        if (size == 0) {
                /* Nothing to read (p11-kit's RPC would take an empty
                 * buffer for a length query). */
                *ret = buf;
                *ret_len = 0;
                return 0;
        }
        a.pValue = buf;
        rv = t->f->C_GetAttributeValue(s, o, &a, 1);
        /* The buffer holds size bytes: a length that grew since (a lying
         * module, or an object rewritten meanwhile) would have kartd read
         * past it. */
        if (rv != CKR_OK || a.ulValueLen > size) {
                free(buf);
                return -ENODATA;
        }
        *ret = buf;
        *ret_len = a.ulValueLen;
        return 0;
}

static int cert_from_object(CardToken *t, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CardCertFile *ret) {
        _cleanup_free_ uint8_t *id = NULL, *category = NULL;
        uint8_t *label = NULL;
        size_t len;
        int r;

        *ret = (CardCertFile) {};
        if (get_attribute(t, s, o, CKA_ID, PKCS15_MAX_OBJECT_ID, &id, &len) >= 0) {
                memcpy(ret->meta.id, id, len);
                ret->meta.id_len = len;
        }
        if (get_attribute(t, s, o, CKA_LABEL, 256, &label, &len) >= 0) {
                ret->meta.label = utf8_sanitize(label, len);
                free(label);
                if (!ret->meta.label)
                        return -ENOMEM;
        }
        if (get_attribute(t, s, o, CKA_CERTIFICATE_CATEGORY, sizeof(CK_ULONG), &category, &len) >= 0 &&
            len == sizeof(CK_ULONG))
                ret->meta.authority = *(CK_ULONG *) category == 2;     /* "authority" */
        r = get_attribute(t, s, o, CKA_VALUE, CERT_MAX, &ret->der, &ret->der_len);
        if (r == -ENOMEM)
                return r;
        return 0;       /* unreadable: kept, der NULL */
}

int card_token_read_certificates(CardToken *t, CardCertFile **ret, size_t *ret_n, size_t *ret_bytes) {
        CK_OBJECT_CLASS class = CKO_CERTIFICATE;
        CK_ATTRIBUTE match = { CKA_CLASS, &class, sizeof class };
        CK_OBJECT_HANDLE objects[MAX_CERTS];
        CK_SESSION_HANDLE s;
        CardCertFile *files;
        CK_ULONG n = 0;
        size_t bytes = 0;
        CK_RV rv;
        int r;

        r = open_session(t, false, &s);
        if (r < 0)
                return r;
        rv = t->f->C_FindObjectsInit(s, &match, 1);
        if (rv == CKR_OK) {
                /* A module may hand the objects out a few at a time: ask
                 * until it has none left (or kartd has room for none). */
                while (n < MAX_CERTS) {
                        CK_ULONG got = 0;

                        rv = t->f->C_FindObjects(s, objects + n, MAX_CERTS - n, &got);
                        if (rv != CKR_OK || got == 0)
                                break;
                        if (got > MAX_CERTS - n) {
                                n = MAX_CERTS + 1;      /* more than it had room for */
                                break;
                        }
                        n += got;
                }
                (void) t->f->C_FindObjectsFinal(s);
        }
        if (rv != CKR_OK || n > MAX_CERTS) {
                (void) t->f->C_CloseSession(s);
                return rv != CKR_OK ? p11_rv_to_errno(rv) : -EBADMSG;
        }
        files = calloc(MAX(n, (CK_ULONG) 1), sizeof *files);
        r = files ? 0 : -ENOMEM;
        for (CK_ULONG i = 0; i < n && r >= 0; i++) {
                r = cert_from_object(t, s, objects[i], &files[i]);
                bytes += files[i].der_len;
        }
        (void) t->f->C_CloseSession(s);
        if (r < 0) {
                card_cert_files_free(files, n);
                return r;
        }
        *ret = files;
        *ret_n = n;
        *ret_bytes = bytes;
        return 0;
}

/* The token's serial is the card's: a PIN meant for one card never goes
 * to another put in the same reader meanwhile. */
static int check_same_token(CardToken *t, const char *serial, CK_TOKEN_INFO *info) {
        _cleanup_free_ char *now = NULL;
        int r;

        r = token_info(t, info);
        if (r < 0)
                return r;
        now = p11_trim(info->serialNumber, sizeof info->serialNumber);
        if (!now)
                return -ENOMEM;
        return streq(now, serial) ? 0 : -EMEDIUMTYPE;
}

static int pin_command(CardToken *t, PinRequest *req) {
        CK_SESSION_HANDLE s;
        CK_RV rv;
        int r;

        r = open_session(t, req->op == PIN_OP_CHANGE, &s);
        if (r < 0)
                return r;
        if (req->op == PIN_OP_CHANGE)
                rv = t->f->C_SetPIN(s, (CK_UTF8CHAR *) req->pin, strlen(req->pin),
                                    (CK_UTF8CHAR *) req->new_pin, strlen(req->new_pin));
        else {
                rv = t->f->C_Login(s, CKU_USER, (CK_UTF8CHAR *) req->pin, strlen(req->pin));
                if (rv == CKR_USER_ALREADY_LOGGED_IN) {
                        /* Another application's login: check ours anew. */
                        (void) t->f->C_Logout(s);
                        rv = t->f->C_Login(s, CKU_USER, (CK_UTF8CHAR *) req->pin, strlen(req->pin));
                }
                if (rv == CKR_OK)
                        (void) t->f->C_Logout(s);
        }
        (void) t->f->C_CloseSession(s);
        return p11_rv_to_errno(rv);
}

int card_token_pin_run(CardToken *t, PinRequest *req) {
        CK_TOKEN_INFO info;
        int r, q;

        req->sw = 0;
        req->sent = false;
        r = card_pin_check_request(req);
        if (r < 0)
                return r;
        r = check_same_token(t, req->serial, &info);
        if (r < 0)
                return r;
        /* A module only learns a PIN's state from its own commands: after
         * an unlock it did not see, its flags still say locked. That is
         * all that goes stale, though: a final try it shows was spent
         * after the unlock (by another program), or at worst costs one
         * forced call, and passing over it could lock the card. */
        if (req->status_native) {
                PinStatus flags = req->status;

                status_from_flags(info.flags, &flags);
                pin_status_take_stricter(&req->status, &flags);
        } else if (!req->status_newer)
                status_from_flags(info.flags, &req->status);
        else if ((info.flags & CKF_USER_PIN_FINAL_TRY) && !(info.flags & CKF_USER_PIN_LOCKED) &&
                 req->status.state != PIN_STATE_LOCKED && req->status.state != PIN_STATE_BLOCKED)
                status_from_flags(info.flags, &req->status);
        r = card_pin_interlock(req);
        if (r < 0)
                return r;

        req->sent = true;
        r = pin_command(t, req);
        if (r == -ENOMEDIUM)
                return r;
        /* The state after, from the token's flags (for a card kartd reads
         * itself, kartd reads it again after this: engine-pin.c). */
        q = token_info(t, &info);
        if (q >= 0 && req->status_native) {
                PinStatus flags = req->status;

                if (r == 0)
                        req->status = (PinStatus) { PIN_STATE_OK, req->status.tries_max, req->status.tries_max };
                else if (r == -EKEYREJECTED)
                        req->status = (PinStatus) { PIN_STATE_UNKNOWN, -1, req->status.tries_max };
                status_from_flags(info.flags, &flags);
                pin_status_take_stricter(&req->status, &flags);
        } else if (q >= 0)
                status_from_flags(info.flags, &req->status);
        else if (r == -EKEYREJECTED)
                req->status = (PinStatus) { PIN_STATE_UNKNOWN, -1, req->status.tries_max };
        if (r == -EKEYEXPIRED) {
                req->status.state = PIN_STATE_LOCKED;
                req->status.tries_left = 0;
        }
        if (r == -EIO)
                log_debug("The PKCS#11 module refused the PIN command with an unexpected error.");
        return r;
}
