/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "card/card-identity.h"
#include "card/reader-worker.h"
#include "card/token.h"
#include "card-events.h"
#include "engine-private.h"
#include "hexutil.h"
#include "log.h"
#include "macro.h"

#define MAX_READER_NAMES 64

typedef struct WorkerSlot {
        char *name;
        ReaderWorker *worker;
} WorkerSlot;

struct Engine {
        Mailbox *mailbox;
        const EngineObserver *observer;
        void *userdata;

        Reader **readers;
        size_t n_readers;

        /* Reader names ever seen, each with its worker: a reader keeps its
         * index and its thread when pcscd restarts. */
        WorkerSlot slots[MAX_READER_NAMES];
        size_t n_slots;

        OcspChecker *ocsp;      /* borrowed; NULL: no revocation checks */
        PinMemo *pin_memo;
        bool pcscd;             /* the last snapshot reached pcscd */
        TokenHost *tokens;      /* the PKCS#11 modules; NULL: none */
        bool pin_operations_module;     /* [PKCS11] PinOperations=module */
        uint64_t refresh_interval_usec; /* [OCSP] RefreshIntervalSec= */

        /* Engine-wide, never reused: a reader that goes away and comes
         * back (pcscd restarted) must not start counting again, or a job
         * result from its previous life would be taken for a current one. */
        uint64_t generation;
};

typedef struct IdentityJob {
        Engine *engine;
        char *reader;
        uint64_t generation;
        PinMemo *pin_memo;
        CardIdentity identity;
        /* The certificates, read in the same transaction. */
        CardCertFile *cert_files;
        size_t n_cert_files, cert_bytes;
        unsigned cert_apdus;
        int cert_result;
} IdentityJob;

#define NOTIFY(e, what, obj) \
        do { if ((e)->observer && (e)->observer->what) (e)->observer->what((obj), (e)->userdata); } while (0)

static int slot_for(Engine *e, const char *name, unsigned *ret_index) {
        WorkerSlot *s;
        int r;

        for (size_t i = 0; i < e->n_slots; i++)
                if (streq(e->slots[i].name, name)) {
                        *ret_index = (unsigned) i;
                        return 0;
                }
        if (e->n_slots >= MAX_READER_NAMES)
                return -E2BIG;
        s = &e->slots[e->n_slots];
        s->name = strdup(name);
        if (!s->name)
                return -ENOMEM;
        r = reader_worker_new(e->mailbox, name, &s->worker);
        if (r < 0) {
                free(s->name);
                s->name = NULL;
                return r;
        }
        *ret_index = (unsigned) e->n_slots++;
        return 0;
}

static Card *card_free(Card *c) {
        if (!c)
                return NULL;
        engine_card_certs_drop(c);
        token_ref_free(c->token);
        free(c->token_serial);
        free(c->driver_owned);
        free(c->id);
        free(c->serial);
        free(c->label);
        free(c);
        return NULL;
}

static void reader_drop_card(Reader *r) {
        Card *c = r->card;

        if (!c)
                return;
        /* Listeners see the reader empty already: the Cards property they
         * announce must no longer list the card. */
        r->card = NULL;
        NOTIFY(r->engine, card_removed, c);
        card_free(c);
}

Reader *engine_reader_find(Engine *e, const char *name) {
        for (size_t i = 0; i < e->n_readers; i++)
                if (streq(e->readers[i]->name, name))
                        return e->readers[i];
        return NULL;
}

Reader *engine_find_reader_by_index(Engine *e, unsigned index) {
        for (size_t i = 0; i < e->n_readers; i++)
                if (e->readers[i]->index == index)
                        return e->readers[i];
        return NULL;
}

Card *engine_find_card(Engine *e, const char *id) {
        for (size_t i = 0; i < e->n_readers; i++)
                if (e->readers[i]->card && streq(e->readers[i]->card->id, id))
                        return e->readers[i]->card;
        return NULL;
}

Card *engine_find_card_by_serial(Engine *e, const char *serial) {
        for (size_t i = 0; i < e->n_readers; i++) {
                Card *c = e->readers[i]->card;
                if (c && c->serial && streq(c->serial, serial))
                        return c;
        }
        return NULL;
}

size_t engine_readers(Engine *e, Reader ***ret) {
        *ret = e->readers;
        return e->n_readers;
}

/* The serial when it is unique; a card without one gets an id of its own
 * insertion, never one an earlier card in that reader had. */
static int card_make_id(Engine *e, Reader *r, const char *serial, char **ret) {
        char *id = NULL;

        if (serial && !engine_find_card(e, serial))
                id = strdup(serial);
        else if (serial) {
                if (asprintf(&id, "%s_reader%u", serial, r->index) < 0)
                        id = NULL;
        } else if (asprintf(&id, "reader%u_%" PRIu64, r->index, r->generation) < 0)
                id = NULL;
        if (!id)
                return -ENOMEM;
        *ret = id;
        return 0;
}

static void identity_job_free(void *p) {
        IdentityJob *j = p;

        card_identity_done(&j->identity);
        card_cert_files_free(j->cert_files, j->n_cert_files);
        free(j->reader);
        free(j);
}

/* Certificates belong to the insertion: read them now, while the card is
 * in our hands anyway, so that listings, expiry warnings and revocation
 * checks need no APDU later. A failure here only means a later read. */
static void identity_read_certs(CardConn *c, IdentityJob *j) {
        unsigned before = c->t->apdu_count;

        card_cert_files_free(j->cert_files, j->n_cert_files);
        j->cert_files = NULL;
        j->n_cert_files = j->cert_bytes = 0;
        j->cert_result = -ENODATA;
        if (!j->identity.serial && !j->identity.pin.present)
                return;         /* no PKCS#15 application found */
        j->cert_result = j->identity.odf
                ? card_read_certificates_with_odf(c, j->identity.odf, j->identity.odf_len, &j->cert_files,
                                                  &j->n_cert_files, &j->cert_bytes)
                : card_read_certificates(c, &j->cert_files, &j->n_cert_files, &j->cert_bytes);
        j->cert_apdus = c->t->apdu_count - before;
}

static int identity_job_run(CardConn *c, void *userdata) {
        IdentityJob *j = userdata;
        int r;

        card_identity_done(&j->identity);
        r = card_identity_read(c, &j->identity);
        if (r < 0)
                return r;
        /* A card kartd met before (in any reader, other cards in between)
         * that cannot tell its counter (AKİS 1.2): what the last PIN
         * command on it learnt is worth more than "unknown". A card at its
         * last try stays there, and a call queued before the card was
         * pulled and put back still sees what the one before it learnt.
         * Should the card have been unblocked elsewhere meanwhile, one
         * forced right PIN puts it right. */
        if (j->identity.pin_status.state == PIN_STATE_UNKNOWN)
                (void) pin_memo_load(j->pin_memo, j->identity.serial, &j->identity.pin_status);
        pin_memo_store(j->pin_memo, j->identity.serial, &j->identity.pin_status);
        identity_read_certs(c, j);
        /* The card went away or was reset: the whole job says so. */
        if (j->cert_result == -ENOMEDIUM || j->cert_result == -ECANCELED || j->cert_result == -ENODEV)
                return j->cert_result;
        return 0;
}

/* The card as its driver (APDU or PKCS#11) described it; takes what it
 * keeps of id; files NULL: the certificates were not read. native: what
 * kartd's own driver found on a card a module serves, or NULL. pin_token:
 * id is kartd's own driver's, and token (that module's token, described
 * by pin_token) carries only the PIN operations. */
static void reader_set_card(Reader *r, CardIdentity *id, const CardIdentity *native, TokenRef *token,
                            const CardIdentity *pin_token, CardCertFile *files, size_t n_files, unsigned apdus,
                            size_t bytes) {
        Engine *e = r->engine;
        Card *c;

        c = calloc(1, sizeof *c);
        if (!c || card_make_id(e, r, id->serial, &c->id) < 0) {
                free(c);
                token_ref_free(token);
                log_oom();
                return;
        }
        c->reader = r;
        memcpy(c->atr, r->atr, r->atr_len);
        c->atr_len = r->atr_len;
        c->serial = TAKE_PTR(id->serial);
        c->label = TAKE_PTR(id->label);
        c->model = id->model;
        c->seen = id->seen;
        c->driver = id->driver;
        c->token = token;
        c->pin = id->pin;
        if (token && native && native->model.known && native->pin.present &&
            streq_ptr(native->serial, c->serial)) {
                /* A card kartd knows, served by a module (Prefer=): the
                 * PIN's format is the card's AODF, and an online unlock
                 * still goes over APDUs with kartd's own driver. */
                c->native = native->model;
                c->seen = native->seen;
                c->pin = native->pin;
        }
        c->pin_status = id->pin_status;
        if (token && pin_token) {
                /* Reads stay kartd's; the module's token is the same card
                 * under the module's own serial. */
                c->token_pin_only = true;
                c->native = c->model;
                c->token_serial = pin_token->serial ? strdup(pin_token->serial) : NULL;
                if (asprintf(&c->driver_owned, "%s+%s", id->driver, pin_token->driver) < 0)
                        c->driver_owned = NULL;
                if ((pin_token->serial && !c->token_serial) || !c->driver_owned) {
                        card_free(c);
                        log_oom();
                        return;
                }
                c->driver = c->driver_owned;
        }
        r->card = c;

        card_event_inserted(c);
        card_event_pin(c);
        if (files)
                engine_card_certs_take(c, files, n_files, apdus, bytes);
        NOTIFY(e, card_added, c);
        NOTIFY(e, reader_changed, r);
}

/* A card handed to the PKCS#11 modules, with what the APDU driver found
 * (the fallback when no module has the token). */
typedef struct TokenFind {
        Engine *engine;
        char *reader;
        uint64_t generation;
        TokenUse use;
        bool have_fallback;
        CardIdentity fallback;
        CardCertFile *files;
        size_t n_files, bytes;
        unsigned apdus;
        bool files_read;
} TokenFind;

static void token_find_free(TokenFind *f) {
        card_identity_done(&f->fallback);
        card_cert_files_free(f->files, f->n_files);
        free(f->reader);
        free(f);
}

static void token_find_done(int result, TokenRef *ref, CardIdentity *id, CardCertFile *files, size_t n_files,
                            size_t bytes, void *userdata) {
        TokenFind *f = userdata;
        Reader *r = engine_reader_find(f->engine, f->reader);

        if (!r || r->generation != f->generation || !r->present || r->card)
                token_ref_free(ref);    /* the card went away meanwhile, or is known already */
        else if (result >= 0 && f->use == TOKEN_USE_PIN)
                reader_set_card(r, &f->fallback, NULL, ref, id, f->files_read ? f->files : NULL, f->n_files,
                                f->apdus, f->bytes);
        else if (result >= 0)
                reader_set_card(r, id, f->have_fallback ? &f->fallback : NULL, ref, NULL, files, n_files, 0, bytes);
        else if (f->have_fallback) {
                if (result != -ENOENT)
                        log_warning_errno(result, "No PKCS#11 module could read the card in reader '%s' (%m); "
                                          "using kartd's own driver.", r->name);
                reader_set_card(r, &f->fallback, NULL, NULL, NULL, f->files_read ? f->files : NULL, f->n_files,
                                f->apdus, f->bytes);
                if (f->use == TOKEN_USE_PIN && f->engine->pin_operations_module && r->card) {
                        /* Configured to leave the PIN to a module: never
                         * kartd's own commands instead. */
                        log_warning("PinOperations=module, but no PKCS#11 module has the token of the card "
                                    "in reader '%s': its PIN operations are refused.", r->name);
                        r->card->pin_needs_module = true;
                }
        } else
                log_warning_errno(result, "Could not read the token in slot '%s': %m", r->name);
        token_find_free(f);
}

/* Asks the modules for the reader's token; fallback (emptied here) is
 * what the APDU driver found, NULL for a software slot. */
static void reader_find_token(Reader *r, TokenUse use, IdentityJob *fallback) {
        Engine *e = r->engine;
        TokenFind *f;
        int k;

        f = calloc(1, sizeof *f);
        if (!f || !(f->reader = strdup(r->name))) {
                free(f);
                return (void) log_oom();
        }
        f->engine = e;
        f->generation = r->generation;
        f->use = use;
        if (fallback) {
                f->have_fallback = true;
                f->fallback = fallback->identity;
                fallback->identity = (CardIdentity) {};
                f->files_read = fallback->cert_result >= 0;
                f->files = TAKE_PTR(fallback->cert_files);
                f->n_files = fallback->n_cert_files;
                fallback->n_cert_files = 0;
                f->bytes = fallback->cert_bytes;
                f->apdus = fallback->cert_apdus;
        }
        k = token_host_find(e->tokens, r->name, use, token_find_done, f);
        if (k < 0) {
                log_oom();
                token_find_free(f);
        }
}

static void identity_job_done(int result, void *userdata) {
        IdentityJob *j = userdata;
        Engine *e = j->engine;
        Reader *r = engine_reader_find(e, j->reader);
        _cleanup_free_ char *atr = NULL;
        bool native_known;

        if (!r || r->generation != j->generation || !r->present || r->card)
                return;         /* the card went away meanwhile, or is known already */
        if (result == -ENOMEDIUM || result == -ECANCELED || result == -ENODEV)
                return;         /* the monitor reports what happened next */

        if (result < 0) {
                atr = hex_encode(r->atr, r->atr_len);
                log_warning_errno(result, "Could not read the card in reader '%s' (ATR %s): %m",
                                  r->name, strna(atr));
                card_identity_done(&j->identity);
                card_identity_from_atr(r->atr, r->atr_len, &j->identity);
                j->cert_result = result;
        }
        /* kartd's own driver first, when it knows the card; a module
         * serves what it cannot do, or all of it when Prefer= says so. */
        native_known = result >= 0 && j->identity.native && j->identity.serial;
        if (!native_known && token_host_wants(e->tokens, TOKEN_USE_CARD))
                return reader_find_token(r, TOKEN_USE_CARD, j);
        if (native_known && token_host_wants(e->tokens, TOKEN_USE_PREFERRED))
                return reader_find_token(r, TOKEN_USE_PREFERRED, j);
        if (native_known && j->identity.pin.present &&
            (!j->identity.model.pin_native || e->pin_operations_module) &&
            token_host_wants(e->tokens, TOKEN_USE_PIN))
                return reader_find_token(r, TOKEN_USE_PIN, j);
        reader_set_card(r, &j->identity, NULL, NULL, NULL,
                        result >= 0 && j->cert_result >= 0 ? j->cert_files : NULL,
                        j->n_cert_files, j->cert_apdus, j->cert_bytes);
}

PinMemo *engine_pin_memo(Engine *e) {
        return e->pin_memo;
}

int engine_keep_pin_states(Engine *e, const char *path) {
        PinMemo *m;

        /* Before any reader is watched: no job writes the old memo yet. */
        assert(e->n_readers == 0);
        m = pin_memo_new(path);
        if (!m)
                return -ENOMEM;
        pin_memo_free(e->pin_memo);
        e->pin_memo = m;
        return 0;
}

void engine_notify_pin_changed(Engine *e, Card *c) {
        card_event_pin(c);
        NOTIFY(e, card_pin_changed, c);
}

void engine_notify_cert_status_changed(Engine *e, Card *c, CardCert *k) {
        card_event_cert_status(c, k);
        if (e->observer->cert_status_changed)
                e->observer->cert_status_changed(c, k, e->userdata);
}

void engine_set_ocsp_checker(Engine *e, OcspChecker *k) {
        e->ocsp = k;
}

Mailbox *engine_mailbox(Engine *e) {
        return e->mailbox;
}

OcspChecker *engine_ocsp_checker(Engine *e) {
        return e->ocsp;
}

void engine_set_refresh_interval(Engine *e, unsigned sec) {
        e->refresh_interval_usec = (uint64_t) sec * 1000000u;
}

uint64_t engine_refresh_interval_usec(Engine *e) {
        return e->refresh_interval_usec;
}

int engine_submit(Engine *e, Reader *r, ReaderJobFunc job, ReaderDoneFunc done,
                  ReaderJobFlags flags, void *userdata, void (*free_func)(void *)) {
        return reader_worker_submit(e->slots[r->index].worker, job, done, flags, userdata, free_func);
}

static void reader_start_identify(Reader *r) {
        Engine *e = r->engine;
        IdentityJob *j;
        int r2;

        j = calloc(1, sizeof *j);
        if (!j || !(j->reader = strdup(r->name))) {
                free(j);
                log_oom();
                return;
        }
        j->engine = e;
        j->generation = r->generation;
        j->pin_memo = engine_pin_memo(e);
        r2 = engine_submit(e, r, identity_job_run, identity_job_done,
                           READER_JOB_RESTART_ON_RESET, j, identity_job_free);
        if (r2 < 0) {
                identity_job_free(j);
                log_oom();
        }
}

static Reader *reader_add(Engine *e, const char *name) {
        Reader *r, **a;
        unsigned index;

        if (slot_for(e, name, &index) < 0) {
                log_warning("Ignoring reader '%s': too many readers or out of memory.", name);
                return NULL;
        }
        a = reallocarray(e->readers, e->n_readers + 1, sizeof *a);
        if (!a)
                return NULL;
        e->readers = a;
        r = calloc(1, sizeof *r);
        if (!r || !(r->name = strdup(name))) {
                free(r);
                return NULL;
        }
        r->engine = e;
        r->index = index;
        e->readers[e->n_readers++] = r;
        /* Another instance of the reader (re-plugged, pcscd restarted):
         * its event count starts anew. */
        reader_worker_new_instance(e->slots[index].worker);
        log_info("Reader added: '%s'.", name);
        NOTIFY(e, reader_added, r);
        return r;
}

static ssize_t engine_reader_position(Engine *e, Reader *r) {
        for (size_t i = 0; i < e->n_readers; i++)
                if (e->readers[i] == r)
                        return (ssize_t) i;
        return -1;
}

static void reader_remove(Engine *e, size_t i) {
        Reader *r = e->readers[i];

        reader_drop_card(r);
        log_info("Reader removed: '%s'.", r->name);
        NOTIFY(e, reader_removed, r);
        memmove(e->readers + i, e->readers + i + 1, (e->n_readers - i - 1) * sizeof *e->readers);
        e->n_readers--;
        free(r->name);
        free(r);
}

static void reader_update(Reader *r, const PcscReaderState *s) {
        bool changed = s->present != r->present || s->event_count != r->event_count ||
                       s->atr_len != r->atr_len || memcmp(s->atr, r->atr, s->atr_len) != 0;

        if (!changed)
                return;

        if (r->present) {
                if (r->card)
                        card_event_removed(r->card);
                reader_drop_card(r);
        }
        r->present = s->present;
        r->event_count = s->event_count;
        r->atr_len = s->atr_len;
        memcpy(r->atr, s->atr, s->atr_len);
        r->generation = ++r->engine->generation;

        if (r->present && s->mute)
                log_warning("The card in reader '%s' does not answer (no ATR).", r->name);
        else if (r->present)
                reader_start_identify(r);
        NOTIFY(r->engine, reader_changed, r);
}

bool engine_pcscd_reachable(Engine *e) {
        return e->pcscd;
}

bool engine_card_pin_supported(const Card *c) {
        return c->token || (c->model.driver && c->model.pin_native && !c->pin_needs_module);
}

void engine_apply_snapshot(Engine *e, const PcscSnapshot *s) {
        e->pcscd = s->service;
        for (size_t i = e->n_readers; i > 0; i--) {
                bool found = false;

                if (e->readers[i - 1]->soft)
                        continue;       /* not PC/SC's */
                for (size_t k = 0; k < s->n_readers && !found; k++)
                        found = streq(s->readers[k].name, e->readers[i - 1]->name);
                if (!found)
                        reader_remove(e, i - 1);
        }
        for (size_t k = 0; k < s->n_readers; k++) {
                Reader *r = engine_reader_find(e, s->readers[k].name);

                if (r && r->soft) {
                        /* A module listed the slot before PC/SC showed
                         * the reader: one card, one Card object. */
                        reader_remove(e, (size_t) (engine_reader_position(e, r)));
                        r = NULL;
                }
                r = r ?: reader_add(e, s->readers[k].name);
                if (r)
                        reader_update(r, &s->readers[k]);
        }
        token_host_refresh(e->tokens);
}

/* The software tokens: readers of their own, with the card always in. */
static void on_soft_slots_changed(TokenHost *h, void *userdata) {
        Engine *e = userdata;
        char **names = token_host_soft_slots(h);

        for (size_t i = e->n_readers; i > 0; i--) {
                bool found = false;

                for (size_t k = 0; names && names[k] && !found; k++)
                        found = streq(names[k], e->readers[i - 1]->name);
                if (e->readers[i - 1]->soft && !found)
                        reader_remove(e, i - 1);
        }
        for (size_t k = 0; names && names[k]; k++) {
                Reader *r;

                if (engine_reader_find(e, names[k]))
                        continue;       /* PC/SC's, or known */
                r = reader_add(e, names[k]);
                if (!r)
                        continue;
                r->soft = true;
                r->present = true;
                r->generation = ++e->generation;
                reader_find_token(r, TOKEN_USE_CARD, NULL);
                NOTIFY(e, reader_changed, r);
        }
}

static void on_module_failed(TokenHost *h _unused_, const void *module, void *userdata) {
        Engine *e = userdata;

        for (size_t i = 0; i < e->n_readers; i++) {
                Card *c = e->readers[i]->card;

                if (!c || !c->token || token_ref_module(c->token) != module)
                        continue;
                log_error("Card %s in reader '%s' is unavailable until the host of its PKCS#11 module (%s) "
                          "is restarted.", strna(c->serial), e->readers[i]->name, c->driver);
                c->unavailable = true;
                c->pin_status = PIN_STATUS_UNKNOWN;
                NOTIFY(e, card_pin_changed, c);
        }
}

/* The module's host runs again: its cards are read anew, as if inserted
 * (the token's slot and sessions are the new host's). */
static void on_module_ready(TokenHost *h _unused_, const void *module, void *userdata) {
        Engine *e = userdata;

        for (size_t i = 0; i < e->n_readers; i++) {
                Reader *r = e->readers[i];
                Card *c = r->card;
                bool served = c && c->unavailable && c->token && token_ref_module(c->token) == module;

                /* a card the host served, or a software slot whose token
                 * could not be read while the host was down */
                if (!served && !(r->soft && !c))
                        continue;
                if (c)
                        log_info("Reading the card in reader '%s' again: the host of its PKCS#11 module "
                                 "runs again.", r->name);
                reader_drop_card(r);
                r->generation = ++e->generation;
                if (r->soft)
                        reader_find_token(r, TOKEN_USE_CARD, NULL);
                else
                        reader_start_identify(r);
                NOTIFY(e, reader_changed, r);
        }
}

static const TokenHostObserver token_observer = {
        .soft_slots_changed = on_soft_slots_changed,
        .module_failed = on_module_failed,
        .module_ready = on_module_ready,
};

int engine_start_tokens(Engine *e, sd_event *event, const Pkcs11Config *config) {
        e->pin_operations_module = config->pin_operations_module;
        if (config->n_modules == 0)
                return 0;
        return token_host_new(e->mailbox, event, config, &token_observer, e, &e->tokens);
}

int engine_new(Mailbox *mailbox, const EngineObserver *observer, void *userdata, Engine **ret) {
        Engine *e;

        e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        e->mailbox = mailbox;
        e->observer = observer;
        e->userdata = userdata;
        e->pin_memo = pin_memo_new(NULL);
        if (!e->pin_memo) {
                free(e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

void *engine_observer_userdata(Engine *e) {
        return e->userdata;
}

Engine *engine_free(Engine *e) {
        bool tokens_left_behind;

        if (!e)
                return NULL;
        /* Quietly: the bus is going away with us. */
        for (size_t i = 0; i < e->n_readers; i++) {
                card_free(e->readers[i]->card);
                free(e->readers[i]->name);
                free(e->readers[i]);
        }
        free(e->readers);
        /* After the cards, which hold its tokens. A PIN job a module
         * thread is left in (its module stuck even after its host was
         * killed) writes the PinMemo if the module ever returns: then the
         * memo stays, and the engine with it; the process is on its way
         * out. */
        e->tokens = token_host_free(e->tokens, &tokens_left_behind);
        for (size_t i = 0; i < e->n_slots; i++) {
                reader_worker_free(e->slots[i].worker);
                free(e->slots[i].name);
        }
        if (!tokens_left_behind) {
                pin_memo_free(e->pin_memo);
                free(e);
        }
        return NULL;
}
