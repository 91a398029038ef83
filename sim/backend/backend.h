/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* kart-backend-sim: the reference backend of backend protocol v1
 * (doc/backend-protocol.md). A test tool: one process, all state behind
 * one mutex, sessions in memory, verification codes in the state
 * directory so that `issue-code` works from another process. */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "macro.h"

#define BODY_MAX 16384
#define SESSION_LIFETIME 600
#define CODE_LIFETIME (15 * 60)
#define CODE_WRONG_MAX 5
#define SMS_LIFETIME 180
#define SMS_TRIES 3
#define SMS_SENDS 3
#define SMS_RESEND 60
#define PASSWORD_TRIES 3
#define AUTH_PER_SESSION 3
#define AUTH_PER_CARD_DAY 5
#define AUTH_LIFETIME 30
#define ADMIN_TRIES_FLOOR 3
#define IDEM_LIFETIME (24 * 3600)

#define ALG_NAME "AES128-CMAC-KDEA"
#define ID_MAX 96

/* ---------------------------------------------------------------- data file */

typedef struct Account {
        char *holder;
        char *phone;          /* E.164 or NULL */
        bool has_password;
        uint8_t salt[64];
        size_t salt_len;
        uint8_t hash[64];
        size_t hash_len;
        unsigned iterations;
        char **cards;         /* lowercase hex, NULL-terminated */
        char **certificates;  /* uppercase hex, NULL-terminated */
} Account;

typedef struct Accounts {
        Account *items;
        size_t n;
        json_t *portal;       /* data.json's "portal", as it is (GET /v1/meta), or NULL */
} Accounts;

int accounts_load(const char *path, Accounts *ret, char **error);
void accounts_free(Accounts *a);
const Account *accounts_find_card(const Accounts *a, const char *serial);
bool account_has_certificate(const Account *a, const char *serial);
bool account_check_password(const Account *a, const char *password);
int password_hash_json(const char *password, unsigned iterations, char **ret);
void phone_mask(const char *phone, char *buf, size_t size);

/* ---------------------------------------------------------------- replies */

typedef struct Reply {
        unsigned status;
        json_t *body;         /* NULL: no body (204) */
} Reply;

void reply_clear(Reply *r);
/* Sets r to status + body (takes the reference). Returns false, so that
 * handlers can `return reply_json(...)` on their error paths too. */
bool reply_json(Reply *r, unsigned status, json_t *body);
/* An error reply; attempts_left / retry_after < 0: not sent. */
_printf_(6, 7) bool reply_error_full(Reply *r, unsigned status, const char *code, int attempts_left,
                                     int retry_after, const char *fmt, ...);
#define reply_error(r, status, code, ...) reply_error_full(r, status, code, -1, -1, __VA_ARGS__)
bool reply_bad_request(Reply *r, const char *field, const char *what);

/* ---------------------------------------------------------------- JSON input checks
 * Each returns false after setting a 400 reply that names the field. */

bool jc_object(Reply *r, json_t *v, const char *path, const char *const *fields);
const char *jc_string(Reply *r, json_t *obj, const char *path, const char *key, size_t min, size_t max);
bool jc_int(Reply *r, json_t *obj, const char *path, const char *key, long long min, long long max,
            long long *ret);
/* Hex of min..max digits, even length; lower: lowercase only, else uppercase only. */
const char *jc_hex(Reply *r, json_t *obj, const char *path, const char *key, size_t min, size_t max,
                   bool lower);
bool is_hex(const char *s, bool lower);
bool is_printable(const char *s);
int hex_to_bytes(const char *hex, uint8_t *buf, size_t size);
void bytes_to_hex(const uint8_t *buf, size_t len, char *out);
int random_hex(char *out, size_t bytes);

/* ---------------------------------------------------------------- state directory */

typedef enum CodeResult {
        CODE_OK,
        CODE_INVALID,
        CODE_USED,
        CODE_EXPIRED,
} CodeResult;

int codes_issue(const char *state_dir, const char *card, const char *purpose, time_t now, char ret[15]);
int codes_redeem(const char *state_dir, const char *card, const char *purpose, const char *code, time_t now,
                 CodeResult *result, int *attempts_left);
bool code_well_formed(const char *code);

typedef struct Fault {
        char mode[16];        /* "", "error", "drop", "garbage", "delay" */
        unsigned delay_ms;
} Fault;

int faults_arm(const char *state_dir, const char *endpoint, const char *mode, unsigned count);
int faults_take(const char *state_dir, const char *endpoint, Fault *ret);

int write_file_atomic(const char *path, const char *data, size_t len, unsigned mode);
int lock_file(const char *path);  /* fd holding an exclusive flock, or -errno */

/* ---------------------------------------------------------------- the CA database */

typedef enum CertStatus {
        CERT_GOOD,
        CERT_ON_HOLD,
        CERT_REVOKED,
} CertStatus;

int ca_index_describe(const char *ca_dir, const char *serial, json_t **ret);
/* Moves serial to status (reason for CERT_REVOKED) if it is now in one of
 * the states allowed by from_mask (1 << CertStatus); -ENOENT, -EBUSY (wrong state). */
int ca_index_set(const char *ca_dir, const char *serial, unsigned from_mask, CertStatus status,
                 const char *reason, time_t now);

/* ---------------------------------------------------------------- sessions */

typedef enum SessionKind {
        KIND_UNBLOCK,
        KIND_CERT,
} SessionKind;

typedef enum SessionState {
        ST_AWAITING_SECOND_FACTOR,
        ST_AUTHORIZED,        /* authorized_to_unblock / authorized */
        ST_AWAITING_RETRY,
        ST_COMPLETED,
        ST_CANCELLED,
        ST_EXPIRED,           /* computed, never stored */
} SessionState;

typedef struct Authorization {
        char id[ID_MAX];
        time_t issued;
        bool reported;
        bool superseded;
} Authorization;

typedef struct Session {
        struct Session *next;
        SessionKind kind;
        char id[ID_MAX];
        char token[ID_MAX];
        const Account *account;
        char card[129];
        int key_version;
        int pin_ref;
        time_t created;
        long lifetime;
        SessionState state;
        /* second factor */
        char sms_code[7];
        bool sms_pending;
        time_t sms_sent;
        int sms_sends;
        int sms_wrong;
        int password_wrong;
        /* unblock */
        Authorization auths[AUTH_PER_SESSION];
        int n_auths;
} Session;

typedef struct CardUse {
        struct CardUse *next;
        char card[129];
        time_t auth_times[AUTH_PER_CARD_DAY];
        int n_auth_times;
        bool admin_low;
} CardUse;

typedef struct IdemEntry {
        struct IdemEntry *next;
        char key[33];
        uint8_t fingerprint[32];
        time_t stored;
        unsigned status;
        char *body;           /* NULL: no body */
} IdemEntry;

typedef struct Context {
        pthread_mutex_t lock;
        Accounts accounts;
        char *state_dir;
        char *ca_dir;
        uint8_t master_key[16];
        unsigned delay_ms;
        long session_lifetime;
        Session *sessions;
        CardUse *card_uses;
        IdemEntry *idem;
        int audit_fd;
        int requests_fd;
} Context;

typedef struct Request {
        Context *ctx;
        const char *method;
        const char *path;
        char **parts;         /* path split at '/', without the leading "" */
        size_t n_parts;
        json_t *body;         /* POST: the parsed object */
        const char *token;    /* bearer token or NULL */
        const char *card_serial_arg;
        char request_id[40];
        time_t now;
} Request;

const char *session_state_name(const Session *s, time_t now);
SessionState session_state(const Session *s, time_t now);
long session_expires_in(const Session *s, time_t now);
/* The session of the request's token, checked against kind and sid; sets
 * 401/404/410 and returns NULL on failure (410 only when !allow_expired). */
Session *session_authenticate(Request *q, Reply *r, SessionKind kind, const char *sid, bool allow_expired);
/* Common to both kinds: redeem the code, make the session; NULL + reply on failure. */
Session *session_create(Request *q, Reply *r, SessionKind kind, const char *code, const char *card);
json_t *session_created_json(const Session *s);
bool handle_session_get(Request *q, Reply *r, SessionKind kind, const char *sid);
bool handle_session_delete(Request *q, Reply *r, SessionKind kind, const char *sid);
bool handle_second_factor_challenge(Request *q, Reply *r, SessionKind kind, const char *sid);
bool handle_second_factor_verify(Request *q, Reply *r, SessionKind kind, const char *sid);
void sessions_free(Context *ctx);

bool handle_unblock_create(Request *q, Reply *r);
bool handle_authorizations(Request *q, Reply *r, const char *sid);
bool handle_result(Request *q, Reply *r, const char *sid);
CardUse *card_use_get(Context *ctx, const char *card);

bool handle_cert_create(Request *q, Reply *r);
bool handle_certificates_list(Request *q, Reply *r);
bool handle_certificate_op(Request *q, Reply *r, const char *serial, const char *op);

/* ---------------------------------------------------------------- logs */

int logs_open(Context *ctx);
void logs_close(Context *ctx);
/* Appends one audit line (fields: a JSON object, reference taken; never
 * put a secret in it); writes the new audit id to id_out if non-NULL. */
void audit_event(Context *ctx, const char *event, json_t *fields, char *id_out, size_t id_size);
void request_log(Context *ctx, const Request *q, unsigned status, const char *raw_body, size_t raw_len);
json_t *redact(json_t *v);

/* ---------------------------------------------------------------- idempotency */

void idem_fingerprint(const char *method, const char *path, const char *token, const char *body, size_t len,
                      uint8_t ret[32]);
/* 1: found with the same fingerprint (status/body set, body borrowed);
 * -EEXIST: key used for another request; 0: unknown key. */
int idem_lookup(Context *ctx, const char *key, const uint8_t fp[32], time_t now, unsigned *status,
                const char **body);
void idem_store(Context *ctx, const char *key, const uint8_t fp[32], time_t now, unsigned status,
                const char *body);
void idem_free(Context *ctx);

/* ---------------------------------------------------------------- routing */

/* Runs the handler for the request; fills r. endpoint: the fault name. */
void route_request(Request *q, Reply *r);
const char *route_endpoint_name(const char *method, char **parts, size_t n);

int serve(Context *ctx, unsigned port, const char *cert_pem, const char *key_pem);
