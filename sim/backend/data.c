/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The data file: accounts with their phone, web password (PBKDF2-SHA256)
 * cards and certificates. Checked as strictly as requests are. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "backend.h"

static void strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

void accounts_free(Accounts *a) {
        for (size_t i = 0; i < a->n; i++) {
                free(a->items[i].holder);
                free(a->items[i].phone);
                strv_free(a->items[i].cards);
                strv_free(a->items[i].certificates);
        }
        free(a->items);
        json_decref(a->portal);
        *a = (Accounts) {};
}

_printf_(2, 3) static int fail(char **error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(error, fmt, ap) < 0)
                *error = NULL;
        va_end(ap);
        return -EINVAL;
}

static int load_hex_list(json_t *v, bool lower, size_t max_len, char ***ret, char **error, const char *name) {
        size_t i;
        json_t *e;
        char **list;

        if (!json_is_array(v))
                return fail(error, "'%s' must be an array", name);
        list = calloc(json_array_size(v) + 1, sizeof(char *));
        if (!list)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                const char *s = json_string_value(e);
                if (!s || !*s || strlen(s) > max_len || strlen(s) % 2 || !is_hex(s, lower)) {
                        strv_free(list);
                        return fail(error, lower ? "'%s' entries must be lowercase hex"
                                                 : "'%s' entries must be uppercase hex", name);
                }
                list[i] = strdup(s);
                if (!list[i]) {
                        strv_free(list);
                        return -ENOMEM;
                }
        }
        *ret = list;
        return 0;
}

static int load_password(json_t *v, Account *a, char **error) {
        json_t *iter = json_object_get(v, "iterations");
        const char *salt = json_string_value(json_object_get(v, "salt"));
        const char *hash = json_string_value(json_object_get(v, "pbkdf2_sha256"));
        int n;

        if (!json_is_object(v) || json_object_size(v) != 3 || !salt || !hash || !json_is_integer(iter) ||
            json_integer_value(iter) < 1 || json_integer_value(iter) > 10000000)
                return fail(error, "%s: needs salt, pbkdf2_sha256 and iterations", "password");
        n = hex_to_bytes(salt, a->salt, sizeof a->salt);
        if (n <= 0)
                return fail(error, "%s: bad salt", "password");
        a->salt_len = (size_t) n;
        n = hex_to_bytes(hash, a->hash, sizeof a->hash);
        if (n < 16)
                return fail(error, "%s: bad pbkdf2_sha256", "password");
        a->hash_len = (size_t) n;
        a->iterations = (unsigned) json_integer_value(iter);
        a->has_password = true;
        return 0;
}

static int load_account(json_t *v, Account *a, char **error) {
        static const char *const known[] = { "holder", "phone", "password", "cards", "certificates", NULL };
        const char *key, *phone;
        json_t *value;
        int r;

        if (!json_is_object(v))
                return fail(error, "%s: must be objects", "accounts");
        json_object_foreach(v, key, value) {
                bool ok = false;
                for (const char *const *k = known; *k; k++)
                        ok = ok || streq(*k, key);
                if (!ok)
                        return fail(error, "unknown account field '%s'", key);
        }
        if (!json_is_string(json_object_get(v, "holder")))
                return fail(error, "%s: every account needs a holder", "accounts");
        a->holder = strdup(json_string_value(json_object_get(v, "holder")));
        phone = json_string_value(json_object_get(v, "phone"));
        if (json_object_get(v, "phone")) {
                if (!phone || phone[0] != '+' || strlen(phone) < 8 || strlen(phone) > 16 ||
                    strspn(phone + 1, "0123456789") != strlen(phone + 1))
                        return fail(error, "%s: phone must be E.164 (+ and digits)", "accounts");
                a->phone = strdup(phone);
        }
        if (json_object_get(v, "password")) {
                r = load_password(json_object_get(v, "password"), a, error);
                if (r < 0)
                        return r;
        }
        r = load_hex_list(json_object_get(v, "cards"), true, 128, &a->cards, error, "cards");
        if (r < 0)
                return r;
        return load_hex_list(json_object_get(v, "certificates"), false, 128, &a->certificates, error,
                             "certificates");
}

int accounts_load(const char *path, Accounts *ret, char **error) {
        json_error_t err;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err), *list, *v;
        Accounts a = {};
        size_t i;
        int r = 0;

        *error = NULL;
        if (!root) {
                if (asprintf(error, "%s:%d: %s", path, err.line, err.text) < 0)
                        *error = NULL;
                return -EINVAL;
        }
        list = json_object_get(root, "accounts");
        if (!json_is_array(list) || json_object_size(root) != 1 + !!json_object_get(root, "portal")) {
                json_decref(root);
                return fail(error, "%s: expected {\"accounts\":[...]} and maybe \"portal\"", path);
        }
        a.portal = json_incref(json_object_get(root, "portal"));
        a.items = calloc(json_array_size(list) + 1, sizeof(Account));
        if (!a.items) {
                json_decref(root);
                return -ENOMEM;
        }
        json_array_foreach(list, i, v) {
                a.n = i + 1;
                r = load_account(v, &a.items[i], error);
                if (r < 0)
                        break;
        }
        json_decref(root);
        if (r < 0) {
                accounts_free(&a);
                return r;
        }
        *ret = a;
        return 0;
}

const Account *accounts_find_card(const Accounts *a, const char *serial) {
        for (size_t i = 0; i < a->n; i++)
                for (char **c = a->items[i].cards; c && *c; c++)
                        if (streq(*c, serial))
                                return &a->items[i];
        return NULL;
}

bool account_has_certificate(const Account *a, const char *serial) {
        for (char **c = a->certificates; c && *c; c++)
                if (streq(*c, serial))
                        return true;
        return false;
}

bool account_check_password(const Account *a, const char *password) {
        uint8_t out[64];
        bool ok;

        if (!a->has_password)
                return false;
        if (PKCS5_PBKDF2_HMAC(password, (int) strlen(password), a->salt, (int) a->salt_len, (int) a->iterations,
                              EVP_sha256(), (int) a->hash_len, out) != 1)
                return false;
        ok = CRYPTO_memcmp(out, a->hash, a->hash_len) == 0;
        OPENSSL_cleanse(out, sizeof out);
        return ok;
}

int password_hash_json(const char *password, unsigned iterations, char **ret) {
        uint8_t salt[16], out[32];
        char salt_hex[33], out_hex[65];

        if (RAND_bytes(salt, sizeof salt) != 1 ||
            PKCS5_PBKDF2_HMAC(password, (int) strlen(password), salt, sizeof salt, (int) iterations, EVP_sha256(),
                              sizeof out, out) != 1)
                return -EIO;
        bytes_to_hex(salt, sizeof salt, salt_hex);
        bytes_to_hex(out, sizeof out, out_hex);
        OPENSSL_cleanse(out, sizeof out);
        if (asprintf(ret, "{\"salt\":\"%s\",\"pbkdf2_sha256\":\"%s\",\"iterations\":%u}", salt_hex, out_hex,
                     iterations) < 0)
                return -ENOMEM;
        return 0;
}

/* "+905321234512" -> "+90 5** *** ** 12"; other numbers keep their last
 * two digits only. */
void phone_mask(const char *phone, char *buf, size_t size) {
        size_t len = strlen(phone);

        if (strncmp(phone, "+90", 3) == 0 && len == 13)
                snprintf(buf, size, "+90 %c** *** ** %s", phone[3], phone + 11);
        else if (len >= 4)
                snprintf(buf, size, "%.3s *** %s", phone, phone + len - 2);
        else
                snprintf(buf, size, "***");
}
