/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory: verification codes (as SHA-256 hashes only) and
 * armed faults, shared with `issue-code` / `fault` run from other
 * processes: each change under an flock on DIR/state.lock, written to a
 * temporary file and renamed into place. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "backend.h"

static const char code_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789";

int lock_file(const char *path) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

int write_file_atomic(const char *path, const char *data, size_t len, unsigned mode) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        size_t done = 0;

        if (asprintf(&tmp, "%s.kart-tmp", path) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return negative_errno();
        if (fchmod(fd, mode) < 0)
                return negative_errno();
        while (done < len) {
                ssize_t n = write(fd, data + done, len - done);
                if (n < 0) {
                        int r = negative_errno();
                        unlink(tmp);
                        return r;
                }
                done += (size_t) n;
        }
        if (fsync(fd) < 0 || rename(tmp, path) < 0) {
                int r = negative_errno();
                unlink(tmp);
                return r;
        }
        return 0;
}

static int state_path(const char *dir, const char *name, char **ret) {
        return asprintf(ret, "%s/%s", dir, name) < 0 ? -ENOMEM : 0;
}

/* Loads DIR/name as a JSON object; a missing file is an empty object. */
static int load_json(const char *dir, const char *name, json_t **ret) {
        _cleanup_free_ char *path = NULL;
        json_error_t err;
        json_t *v;

        if (state_path(dir, name, &path) < 0)
                return -ENOMEM;
        if (access(path, F_OK) < 0) {
                *ret = json_object();
                return *ret ? 0 : -ENOMEM;
        }
        v = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(v)) {
                json_decref(v);
                return -EBADMSG;
        }
        *ret = v;
        return 0;
}

static int save_json(const char *dir, const char *name, json_t *v) {
        _cleanup_free_ char *path = NULL, *text = NULL;

        if (state_path(dir, name, &path) < 0)
                return -ENOMEM;
        text = json_dumps(v, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0600);
}

static int state_lock(const char *dir) {
        _cleanup_free_ char *path = NULL;

        if (state_path(dir, "state.lock", &path) < 0)
                return -ENOMEM;
        return lock_file(path);
}

static void code_hash(const char *code, char out[65]) {
        uint8_t md[32];
        unsigned len = 0;

        EVP_Digest(code, strlen(code), md, &len, EVP_sha256(), NULL);
        bytes_to_hex(md, sizeof md, out);
        OPENSSL_cleanse(md, sizeof md);
}

bool code_well_formed(const char *code) {
        if (strlen(code) != 14)
                return false;
        for (size_t i = 0; i < 14; i++) {
                if (i == 4 || i == 9) {
                        if (code[i] != '-')
                                return false;
                } else if (!code[i] || !strchr(code_alphabet, code[i])) {
                        return false;
                }
        }
        return true;
}

/* The wrong-try counter of card + purpose ("tries" object, key "card/purpose"). */
static json_t *tries_entry(json_t *root, const char *card, const char *purpose) {
        json_t *tries = json_object_get(root, "tries");
        char key[160];

        if (!json_is_object(tries)) {
                tries = json_object();
                json_object_set_new(root, "tries", tries);
        }
        snprintf(key, sizeof key, "%s/%s", card, purpose);
        if (!json_object_get(tries, key))
                json_object_set_new(tries, key, json_integer(0));
        return json_object_get(tries, key);
}

static json_t *codes_array(json_t *root) {
        json_t *codes = json_object_get(root, "codes");

        if (!json_is_array(codes)) {
                codes = json_array();
                json_object_set_new(root, "codes", codes);
        }
        return codes;
}

int codes_issue(const char *state_dir, const char *card, const char *purpose, time_t now, char ret[15]) {
        _cleanup_close_ int lock = state_lock(state_dir);
        json_t *root = NULL;
        char hash[65];
        size_t n = 0;
        int r;

        if (lock < 0)
                return lock;
        /* uniform over the 34 symbols: bytes >= 238 are thrown away */
        while (n < 12) {
                uint8_t b;
                if (RAND_bytes(&b, 1) != 1)
                        return -EIO;
                if (b >= 238)
                        continue;
                ret[n + n / 4] = code_alphabet[b % 34];
                n++;
        }
        ret[4] = ret[9] = '-';
        ret[14] = 0;
        r = load_json(state_dir, "codes.json", &root);
        if (r < 0)
                return r;
        code_hash(ret, hash);
        json_array_append_new(codes_array(root), json_pack("{s:s, s:s, s:s, s:I, s:b}", "card", card, "purpose",
                                                           purpose, "sha256", hash, "issued", (json_int_t) now,
                                                           "used", 0));
        /* a new code from the portal lifts the lock of wrong tries */
        json_integer_set(tries_entry(root, card, purpose), 0);
        r = save_json(state_dir, "codes.json", root);
        json_decref(root);
        return r;
}

int codes_redeem(const char *state_dir, const char *card, const char *purpose, const char *code, time_t now,
                 CodeResult *result, int *attempts_left) {
        _cleanup_close_ int lock = state_lock(state_dir);
        json_t *root = NULL, *entry, *tries, *match = NULL;
        char hash[65];
        size_t i;
        int r;

        if (lock < 0)
                return lock;
        r = load_json(state_dir, "codes.json", &root);
        if (r < 0)
                return r;
        tries = tries_entry(root, card, purpose);
        code_hash(code, hash);
        json_array_foreach(codes_array(root), i, entry) {
                if (streq_ptr(json_string_value(json_object_get(entry, "card")), card) &&
                    streq_ptr(json_string_value(json_object_get(entry, "purpose")), purpose) &&
                    streq_ptr(json_string_value(json_object_get(entry, "sha256")), hash))
                        match = entry;
        }
        *attempts_left = -1;
        if (json_integer_value(tries) >= CODE_WRONG_MAX) {
                /* locked: not even a right code passes until a new one is issued */
                *result = CODE_INVALID;
                *attempts_left = 0;
        } else if (!match) {
                json_integer_set(tries, json_integer_value(tries) + 1);
                *result = CODE_INVALID;
                *attempts_left = CODE_WRONG_MAX - (int) json_integer_value(tries);
        } else if (json_is_true(json_object_get(match, "used"))) {
                *result = CODE_USED;
        } else if (now - json_integer_value(json_object_get(match, "issued")) > CODE_LIFETIME) {
                *result = CODE_EXPIRED;
        } else {
                json_object_set_new(match, "used", json_true());
                json_integer_set(tries, 0);
                *result = CODE_OK;
        }
        r = save_json(state_dir, "codes.json", root);
        json_decref(root);
        return r;
}

/* faults.json: {"ENDPOINT": [{"mode":M,"delay_ms":N,"count":C}, ...]} */
int faults_arm(const char *state_dir, const char *endpoint, const char *mode, unsigned count) {
        _cleanup_close_ int lock = state_lock(state_dir);
        json_t *root = NULL, *list;
        unsigned delay = 0;
        char m[16];
        int r;

        if (lock < 0)
                return lock;
        if (strncmp(mode, "delay=", 6) == 0) {
                char *end;
                unsigned long v = strtoul(mode + 6, &end, 10);
                if (*end || end == mode + 6 || v > 60000)
                        return -EINVAL;
                delay = (unsigned) v;
                snprintf(m, sizeof m, "delay");
        } else if (streq(mode, "error") || streq(mode, "drop") || streq(mode, "garbage")) {
                snprintf(m, sizeof m, "%s", mode);
        } else {
                return -EINVAL;
        }
        r = load_json(state_dir, "faults", &root);
        if (r < 0)
                return r;
        list = json_object_get(root, endpoint);
        if (!json_is_array(list)) {
                list = json_array();
                json_object_set_new(root, endpoint, list);
        }
        json_array_append_new(list, json_pack("{s:s, s:I, s:I}", "mode", m, "delay_ms", (json_int_t) delay,
                                              "count", (json_int_t) count));
        r = save_json(state_dir, "faults", root);
        json_decref(root);
        return r;
}

static bool take_from(json_t *root, const char *endpoint, Fault *ret) {
        json_t *list = json_object_get(root, endpoint), *f = json_array_get(list, 0);
        json_int_t count;

        if (!f)
                return false;
        snprintf(ret->mode, sizeof ret->mode, "%s", strempty(json_string_value(json_object_get(f, "mode"))));
        ret->delay_ms = (unsigned) json_integer_value(json_object_get(f, "delay_ms"));
        count = json_integer_value(json_object_get(f, "count")) - 1;
        if (count > 0)
                json_object_set_new(f, "count", json_integer(count));
        else
                json_array_remove(list, 0);
        return true;
}

int faults_take(const char *state_dir, const char *endpoint, Fault *ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int lock = -1;
        json_t *root = NULL;
        bool found;
        int r;

        *ret = (Fault) {};
        if (state_path(state_dir, "faults", &path) < 0)
                return -ENOMEM;
        if (access(path, F_OK) < 0)
                return 0;
        lock = state_lock(state_dir);
        if (lock < 0)
                return lock;
        r = load_json(state_dir, "faults", &root);
        if (r < 0)
                return r;
        found = take_from(root, endpoint, ret) || take_from(root, "any", ret);
        r = found ? save_json(state_dir, "faults", root) : 0;
        json_decref(root);
        return r < 0 ? r : found;
}
