/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARD_PIN_MAX 16          /* longest stored PIN/PUK, in bytes */
#define CARD_MAX_CERTS 8
#define CARD_ATR_MAX 33
#define CARD_RESPONSE_MAX 65538  /* 65536 data bytes + SW */
#define CARD_ADMIN_KEY_LEN 16    /* AES-128 (sim/common/admin-key.h) */
#define CARD_CHALLENGE_MAX 16
#define CARD_FORBIDDEN_MAX 64    /* entries of the AKİS record kept */

/* ---- growable byte buffer and DER writer (tlv.c) ---- */

typedef struct Buf {
        uint8_t *data;
        size_t len, cap;
        bool oom;               /* sticky: a write failed, the content is void */
} Buf;

void buf_free(Buf *b);
int buf_put(Buf *b, const void *p, size_t n);
int buf_put_byte(Buf *b, uint8_t v);
/* Writes a complete TLV. */
int tlv_put(Buf *b, unsigned tag, const void *v, size_t n);
int tlv_put_int(Buf *b, unsigned tag, long v);
int tlv_put_str(Buf *b, unsigned tag, const char *s);
/* BIT STRING from bit numbers (bit 0 = most significant bit of the first
 * byte, as in ASN.1 named bit lists), DER-trimmed. */
int tlv_put_bits(Buf *b, unsigned tag, uint32_t bits);
/* Opens a constructed TLV: returns an offset to hand to tlv_close(). */
size_t tlv_open(Buf *b, unsigned tag);
int tlv_close(Buf *b, size_t mark);

/* ---- profile (profile.c) ---- */

/* The card's command set ([card] profile =). The AKİS flavours follow
 * the public record (doc: the design note akis.md), one per command set:
 * v1.0 (OpenSC's driver), the "1.2" set (v1.1 to v1.3), the "2.x" set,
 * and v3 ("SAHA"), whose PIN commands are not established at all. */
typedef enum CardFlavour {
        FLAVOUR_PKCS15,
        FLAVOUR_AKIS10,
        FLAVOUR_AKIS12,
        FLAVOUR_AKIS2,
        FLAVOUR_AKIS3,
} CardFlavour;

static inline bool flavour_is_akis(CardFlavour f) {
        return f != FLAVOUR_PKCS15;
}
const char *flavour_name(CardFlavour f);

typedef struct ProfileCert {
        char *name;
        char *path;             /* absolute or relative to the profile's dir */
        char *label;            /* NULL: the name */
        uint8_t id[20];
        size_t id_len;          /* 0: 01, 02, ... in profile order */
} ProfileCert;

typedef struct Profile {
        char *file;
        char *dir;
        CardFlavour flavour;
        uint8_t atr[CARD_ATR_MAX];
        size_t atr_len;         /* 0: the flavour's default */
        uint8_t serial[32];
        size_t serial_len;
        char *label;
        char *manufacturer;
        char *akis_serial;      /* GET DATA 01 06, AKİS v1.0 only */
        bool t0;
        int max_response;       /* -1: the flavour's default */
        int extended_apdu;      /* -1: the flavour's default */

        char *pin, *puk;        /* initial values, used when no state file */
        char *system_pin;       /* AKİS 1.2/2.x: the issuer's PIN at MF level (reference 01) */
        unsigned system_tries;
        unsigned pin_min, pin_stored, pin_max;
        unsigned puk_min, puk_stored, puk_max;
        uint8_t pad_char;
        unsigned pin_tries, puk_tries;
        bool empty_verify_decrements;
        char *pin_label, *puk_label;

        /* [admin]: the admin key for RESET RETRY COUNTER P1=02/03 */
        bool admin;             /* an [admin] section with a key */
        bool admin_has_master, admin_has_key;
        uint8_t admin_master[CARD_ADMIN_KEY_LEN];
        uint8_t admin_key[CARD_ADMIN_KEY_LEN];  /* K_card, derived from the master when given */
        uint8_t admin_key_ref, admin_key_version;
        unsigned admin_tries;

        ProfileCert certs[CARD_MAX_CERTS];
        size_t n_certs;
} Profile;

Profile *profile_free(Profile *p);
int profile_load(const char *file, Profile **ret);

/* ---- persistent state (state.c) ---- */

typedef struct PinState {
        uint8_t pin[CARD_PIN_MAX];      /* padded to pin_stored */
        uint8_t puk[CARD_PIN_MAX];      /* padded to puk_stored */
        unsigned pin_tries, puk_tries;
        unsigned admin_tries;           /* EXTERNAL AUTHENTICATE tries left */
        unsigned system_tries;          /* AKİS: the system PIN's tries left */
} PinState;

int state_init_from_profile(PinState *s, const Profile *p);
/* -ENOENT if absent; then the caller initialises and saves. */
int state_load(const char *file, const Profile *p, PinState *s);
int state_save(const char *file, const Profile *p, const PinState *s);

/* ---- file system (fs.c) ---- */

typedef struct FsNode FsNode;
struct FsNode {
        uint16_t fid;
        bool is_df;
        uint8_t aid[16];
        size_t aid_len;
        Buf content;            /* EF only */
        FsNode *parent, *child, *next;
};

FsNode *fs_free(FsNode *n);
FsNode *fs_add(FsNode *parent, uint16_t fid, bool is_df);
/* A child of df with this FID; want_df: 1 a DF, 0 an EF, -1 either. */
FsNode *fs_child(FsNode *df, uint16_t fid, int want_df);
/* The file at a relative path of FIDs (2 bytes each) from start. */
FsNode *fs_path(FsNode *start, const uint8_t *p, size_t len);
/* The DF whose name is exactly name (anywhere in the tree). */
FsNode *fs_df_named(FsNode *root, const uint8_t *name, size_t len);

/* ---- the card ---- */

typedef struct Apdu {
        uint8_t cla, ins, p1, p2;
        const uint8_t *data;
        size_t lc;              /* 0 with data == NULL: no command data */
        size_t le;              /* expected length; 0 = absent */
        bool has_le, extended;
} Apdu;

typedef struct Response {
        uint8_t data[CARD_RESPONSE_MAX];
        size_t len;             /* data bytes, without SW */
        uint16_t sw;
} Response;

typedef struct Card {
        const Profile *profile;
        const char *state_file;
        PinState st;
        FsNode *mf;
        FsNode *cur_df, *cur_ef;
        bool pin_verified;
        /* GET CHALLENGE's answer, waiting for the next APDU (whatever it
         * is, it consumes the challenge; card_process() moves it to
         * `presented` for that one APDU). */
        uint8_t challenge[CARD_CHALLENGE_MAX];
        size_t challenge_len;
        uint8_t presented[CARD_CHALLENGE_MAX];
        size_t presented_len;
        /* A successful EXTERNAL AUTHENTICATE: allows one RESET RETRY
         * COUNTER P1=02/03; cleared by any RESET RETRY COUNTER, SELECT,
         * reset, power off and removal. */
        bool admin_granted;
        bool admin_key_swapped; /* fault: EXTERNAL AUTHENTICATE uses another key */
        /* T=0 behaviour: the response waiting for GET RESPONSE. */
        uint8_t *pending;
        size_t pending_len;
        size_t max_response;
        bool extended_apdu;

        /* AKİS: the PUK and the system PIN verified in this session */
        bool puk_verified, system_verified;
        /* AKİS: every forbidden or unestablished command received (its
         * header and why), for tests to prove none was sent; kept in
         * memory only, cleared by the control command forbidden-reset. */
        struct {
                uint8_t hdr[4];
                const char *reason;
        } forbidden[CARD_FORBIDDEN_MAX];
        size_t n_forbidden;             /* entries kept */
        unsigned long forbidden_total;  /* entries seen */
        /* Commands that presented or changed the PUK (VERIFY, CHANGE
         * REFERENCE DATA or RESET RETRY COUNTER with it), whatever the
         * answer; an empty VERIFY of its counter is not one. Memory only;
         * the control command puk-uses. */
        unsigned long puk_uses;
} Card;

int card_init(Card *c, const Profile *p, const char *state_file);
void card_done(Card *c);
/* Volatile state back to power-on values (power on/off, reset, removal). */
void card_reset(Card *c);
void card_process(Card *c, const uint8_t *cmd, size_t len, Response *r);
int card_save_state(Card *c);

/* apdu.c */
int apdu_parse(const uint8_t *cmd, size_t len, Apdu *a);
bool apdu_is_secret(uint8_t ins);

/* fs.c: SELECT and READ BINARY */
void fs_select(Card *c, const Apdu *a, Response *r);
void fs_read_binary(Card *c, const Apdu *a, Response *r);
/* Makes n the current file (its DF, or its parent and n). */
void fs_set_current(Card *c, FsNode *n);
/* An FCP/FCI template (tag 62 or 6F) for n; sec >= 0 adds AKİS v1.0's
 * security byte (tag 90). */
void fs_put_fcp(const FsNode *n, uint8_t tag, int sec, Response *r);

/* pin.c */
/* Saves the counters; sw, or 6581 when the state file cannot be written. */
uint16_t pin_save(Card *c, uint16_t sw);
/* A wrong user PIN (one try less: 63Cx) and a right one (counter full). */
uint16_t pin_wrong(Card *c);
uint16_t pin_right(Card *c);
void pin_verify(Card *c, const Apdu *a, Response *r);
void pin_change(Card *c, const Apdu *a, Response *r);
void pin_reset_retry_counter(Card *c, const Apdu *a, Response *r);
/* Pads an ASCII value to the stored length; -EINVAL if it does not fit. */
int pin_pad(const char *value, unsigned stored, uint8_t pad, uint8_t out[CARD_PIN_MAX]);
/* Length of a padded value without its padding. */
size_t pin_unpadded_len(const uint8_t *v, size_t n, uint8_t pad);

/* admin.c: GET CHALLENGE and EXTERNAL AUTHENTICATE with the admin key */
void admin_get_challenge(Card *c, const Apdu *a, Response *r);
void admin_external_authenticate(Card *c, const Apdu *a, Response *r);

/* pkcs15-build.c: the whole file system from the profile */
int pkcs15_build(const Profile *p, FsNode **ret_mf);

/* akis.c: the AKİS flavours' commands (SELECT, GET DATA, logout, the
 * SDO header read) and the record of forbidden commands */
#define AKIS_FID_APP 0x3d00     /* the PKCS#15 DF, named "PKCS-15" */
void akis_dispatch(Card *c, const Apdu *a, Response *r);
/* Records a command (its first four bytes) with a short reason. */
void akis_record(Card *c, const uint8_t *hdr, const char *reason);
/* Records a command the version does not establish and refuses it with sw. */
void akis_refuse(Card *c, const Apdu *a, Response *r, uint16_t sw);
/* Records an issuer's command (it is executed with its real effect). */
void akis_record_apdu(Card *c, const Apdu *a, const char *reason);
/* The application DF (3D00) is the current DF: DF-specific references
 * (bit 80) are found only there. */
bool akis_in_app(const Card *c);
/* The "forbidden" control command's reply. */
void akis_record_format(const Card *c, char *reply, size_t size);
/* The user PIN's and the PUK's references on this version. */
uint8_t akis_pin_ref(CardFlavour f);
uint8_t akis_puk_ref(CardFlavour f);

/* akis-pin.c: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER and the
 * tries read, per AKİS version */
void akis_verify(Card *c, const Apdu *a, Response *r);
void akis_change(Card *c, const Apdu *a, Response *r);
void akis_reset_retry_counter(Card *c, const Apdu *a, Response *r);
void akis_read_header(Card *c, const Apdu *a, Response *r);
/* v1.0's FCI tag 90 bits for the user PIN's tries (0x40, 0x80). */
uint8_t akis_tries_bits(const Card *c);
/* The session's security state back to nothing verified. */
void akis_logout(Card *c);

/* ---- faults (faults.c) ---- */

typedef enum FaultKind {
        FAULT_NONE,
        FAULT_GARBAGE,          /* 40 random bytes + 9000 */
        FAULT_TRUNCATED,        /* half of the data + 9000 */
        FAULT_SHORT,            /* a 1-byte reply */
        FAULT_6F00,             /* SW 6F00 only */
} FaultKind;

typedef enum FaultAction {
        FAULT_ACT_REPLY,        /* send the (possibly damaged) reply */
        FAULT_ACT_REMOVE,       /* drop the APDU unanswered and remove */
        FAULT_ACT_TEAR,         /* execute, drop the reply and remove */
        FAULT_ACT_REPLY_REMOVE, /* send the reply, then remove */
} FaultAction;

typedef struct Faults {
        FaultKind kind;
        long kind_count;        /* APDUs left to damage; -1 = until "fault none" */
        long remove_after;      /* APDUs still to answer before removal; -1: off */
        int remove_on_ins;      /* -1: off */
        int tear_on_ins;        /* -1: off */
        int remove_after_ins;   /* -1: off; executes, then removes unanswered */
        bool swap_admin_key;    /* the card's admin key is another one */
        unsigned delay_ms;
} Faults;

void faults_clear(Faults *f);
/* Parses the arguments of the "fault" control command. */
int faults_command(Faults *f, char **argv, size_t argc, const char **error);
/* Before executing an APDU with this INS: what to do with it. */
FaultAction faults_before(Faults *f, uint8_t ins);
/* After executing: damages the encoded reply in place; may ask removal. */
FaultAction faults_after(Faults *f, uint8_t *reply, size_t *len);

/* ---- vpcd transport (vpcd.c) ---- */

int vpcd_connect(const char *host, unsigned port);
/* Reads one frame; returns the payload length, 0 on EOF, -errno. */
int vpcd_recv(int fd, uint8_t *buf, size_t size);
int vpcd_send(int fd, const uint8_t *payload, size_t len);

/* ---- misc ---- */

extern bool arg_verbose;
void log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_hex(const char *s, uint8_t *out, size_t max, size_t *ret_len);

/* ---- the simulator process (main.c, control.c) ---- */

#define CTL_MAX_CLIENTS 8
#define CTL_LINE_MAX 512
#define CTL_REPLY_MAX 4096

typedef struct CtlClient {
        int fd;
        char buf[CTL_LINE_MAX];
        size_t len;
} CtlClient;

typedef struct Sim {
        Profile *profile;
        Card card;
        Faults faults;
        const char *host;
        unsigned port;
        const char *control_path;

        int vpcd_fd;            /* -1: card out of the reader */
        bool want_inserted;     /* keep (re)connecting to vpcd */
        uint64_t next_connect;  /* CLOCK_MONOTONIC usec */
        uint64_t apdu_count;
        uint64_t ins_count[256];        /* APDUs by INS since "reset-count" */

        int ctl_fd;
        CtlClient clients[CTL_MAX_CLIENTS];

        /* a reply held back by "fault delay" */
        bool delayed;
        uint64_t delayed_at;
        FaultAction delayed_action;
        uint8_t reply[CARD_RESPONSE_MAX];
        size_t reply_len;

        bool quit;
} Sim;

void sim_insert(Sim *s);
void sim_remove(Sim *s, const char *why);
uint64_t now_usec(void);

int control_listen(const char *path);
/* Handles one command line; writes one reply line (without newline). */
void control_execute(Sim *s, char *line, char *reply, size_t size);
int control_client(const char *path, int argc, char **argv);
