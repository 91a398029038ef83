/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "p11-module.h"
#include "p11-registry.h"
#include "p11-token.h"
#include "strv.h"
#include "token.h"

/* The configured modules, asked in the order of Modules= for the token
 * of a reader; the software tokens they hold, as readers of their own. */

#define POLL_USEC (2 * 1000000ULL)
#define MAX_EVENTS 16

struct TokenHost {
        P11Module *modules[PKCS11_MAX_MODULES];
        size_t n_modules;
        char **soft[PKCS11_MAX_MODULES];        /* each module's software slots */
        bool waits[PKCS11_MAX_MODULES];         /* C_WaitForSlotEvent works, for a software slot */
        bool refreshing[PKCS11_MAX_MODULES];
        char **soft_all;
        sd_event_source *poll;
        const TokenHostObserver *observer;
        void *userdata;
};

struct TokenRef {
        P11Module *module;
        CK_SLOT_ID slot;
};

typedef struct FindJob {
        TokenHost *host;
        size_t index;           /* the module asked */
        char *reader;
        TokenUse use;
        TokenFindDone done;
        void *userdata;
        /* Written on the module's thread. */
        CK_SLOT_ID slot;
        CardIdentity id;
        CardCertFile *files;    /* NULL: not read */
        size_t n_files, bytes;
} FindJob;

typedef struct RefreshJob {
        TokenHost *host;
        size_t index;
        char **names;
        bool waits;
} RefreshJob;

typedef struct RefJob {
        CK_SLOT_ID slot;
        TokenJobFunc job;
        void *userdata;
        void (*free_func)(void *);
        TokenDoneFunc done;
} RefJob;

static size_t module_index(TokenHost *h, P11Module *m) {
        for (size_t i = 0; i < h->n_modules; i++)
                if (h->modules[i] == m)
                        return i;
        return h->n_modules;
}

static bool usable(P11Module *m) {
        return p11_module_state(m) == P11_LOADING || p11_module_state(m) == P11_READY;
}

/* Whether module m may take a card for this use. */
static bool serves(P11Module *m, TokenUse use) {
        return usable(m) && (use != TOKEN_USE_PREFERRED || p11_module_prefer(m));
}

bool token_host_wants(TokenHost *h, TokenUse use) {
        for (size_t i = 0; h && i < h->n_modules; i++)
                if (serves(h->modules[i], use))
                        return true;
        return false;
}

/* ---- finding a reader's token ---- */

static void find_job_free(void *p) {
        FindJob *j = p;

        card_identity_done(&j->id);
        card_cert_files_free(j->files, j->n_files);
        free(j->reader);
        free(j);
}

static int find_run(P11Module *m, CK_FUNCTION_LIST *f, void *userdata) {
        FindJob *j = userdata;
        CardToken t = { .module = m, .f = f };
        int r;

        r = p11_find_slot(f, j->reader, &t.slot);
        if (r < 0)
                return r;
        j->slot = t.slot;
        r = card_token_identity_read(&t, &j->id);
        if (r < 0 || j->use == TOKEN_USE_PIN)
                return r;       /* kartd's driver reads the rest */
        /* Certificates belong to the insertion, as with the APDU drivers;
         * a failure here only means a later read. */
        if (card_token_read_certificates(&t, &j->files, &j->n_files, &j->bytes) < 0)
                j->files = NULL;
        return 0;
}

static void find_done(int result, void *userdata);

static int find_from(TokenHost *h, size_t from, const char *reader, TokenUse use,
                     TokenFindDone done, void *userdata) {
        for (size_t i = from; i < h->n_modules; i++) {
                P11Module *m = h->modules[i];
                FindJob *j;
                int r;

                if (!serves(m, use))
                        continue;
                j = calloc(1, sizeof *j);
                if (!j || !(j->reader = strdup(reader))) {
                        free(j);
                        return -ENOMEM;
                }
                *j = (FindJob) { .host = h, .index = i, .reader = j->reader, .use = use,
                                 .done = done, .userdata = userdata };
                r = p11_module_submit(m, "reading the token", find_run, find_done, j, find_job_free);
                if (r >= 0)
                        return 0;
                find_job_free(j);
                if (r == -ENOMEM)
                        return r;
        }
        done(-ENOENT, NULL, NULL, NULL, 0, 0, userdata);
        return 0;
}

static void find_done(int result, void *userdata) {
        FindJob *j = userdata;
        TokenHost *h = j->host;
        P11Module *m = h->modules[j->index];
        TokenRef *ref;

        if (result >= 0) {
                ref = calloc(1, sizeof *ref);
                if (!ref) {
                        log_oom();
                        j->done(-ENOMEM, NULL, NULL, NULL, 0, 0, j->userdata);
                        return;
                }
                *ref = (TokenRef) { .module = m, .slot = j->slot };
                j->done(0, ref, &j->id, j->files, j->n_files, j->bytes, j->userdata);
                return;
        }
        if (result != -ENOENT && result != -ETIMEDOUT)
                log_warning_errno(result, "PKCS#11 module %s could not read the token of '%s': %m",
                                  p11_module_name(m), j->reader);
        if (find_from(h, j->index + 1, j->reader, j->use, j->done, j->userdata) < 0) {
                log_oom();
                j->done(-ENOMEM, NULL, NULL, NULL, 0, 0, j->userdata);
        }
}

int token_host_find(TokenHost *h, const char *reader, TokenUse use, TokenFindDone done, void *userdata) {
        return find_from(h, 0, reader, use, done, userdata);
}

/* ---- software slots ---- */

static void refresh_job_free(void *p) {
        RefreshJob *j = p;

        strv_free(j->names);
        free(j);
}

static int refresh_run(P11Module *m _unused_, CK_FUNCTION_LIST *f, void *userdata) {
        RefreshJob *j = userdata;
        CK_SLOT_ID slot;
        CK_RV rv = CKR_FUNCTION_NOT_SUPPORTED;

        /* Drain the events; what they say is read from the slots. */
        for (unsigned i = 0; f->C_WaitForSlotEvent && i < MAX_EVENTS; i++) {
                rv = f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL);
                if (rv != CKR_OK)
                        break;
        }
        /* Worth asking every POLL_USEC only where PC/SC cannot tell. */
        j->waits = (rv == CKR_NO_EVENT || rv == CKR_OK) && p11_has_soft_slot(f);
        return p11_soft_slots(f, &j->names);
}

static bool strv_equal(char **a, char **b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

static void soft_rebuild(TokenHost *h) {
        char **all = strv_new_empty();

        for (size_t i = 0; all && i < h->n_modules; i++)
                for (size_t k = 0; h->soft[i] && h->soft[i][k]; k++) {
                        bool dup = false;

                        for (size_t n = 0; all[n] && !dup; n++)
                                dup = streq(all[n], h->soft[i][k]);
                        if (!dup && strv_push(&all, strdup(h->soft[i][k])) < 0)
                                all = NULL;
                }
        if (!all) {
                log_oom();
                return;
        }
        if (h->soft_all && strv_equal(all, h->soft_all)) {
                strv_free(all);
                return;
        }
        strv_free(h->soft_all);
        h->soft_all = all;
        if (h->observer->soft_slots_changed)
                h->observer->soft_slots_changed(h, h->userdata);
}

/* The poll timer runs only while some module is to be asked. */
static void poll_update(TokenHost *h) {
        bool any = false;
        int enabled = SD_EVENT_OFF;

        for (size_t i = 0; i < h->n_modules; i++)
                any = any || (h->waits[i] && p11_module_state(h->modules[i]) == P11_READY);
        if (!h->poll || sd_event_source_get_enabled(h->poll, &enabled) < 0)
                return;
        if (any && enabled == SD_EVENT_OFF) {
                (void) sd_event_source_set_time_relative(h->poll, POLL_USEC);
                (void) sd_event_source_set_enabled(h->poll, SD_EVENT_ONESHOT);
        } else if (!any && enabled != SD_EVENT_OFF)
                (void) sd_event_source_set_enabled(h->poll, SD_EVENT_OFF);
}

static void refresh_done(int result, void *userdata) {
        RefreshJob *j = userdata;
        TokenHost *h = j->host;

        h->refreshing[j->index] = false;
        if (result == -ETIMEDOUT)
                return;         /* given up: its software readers stay, their cards unavailable */
        if (result < 0) {
                log_debug_errno(result, "PKCS#11 module %s: could not list its slots: %m",
                                p11_module_name(h->modules[j->index]));
                return;
        }
        h->waits[j->index] = j->waits;
        poll_update(h);
        strv_free(h->soft[j->index]);
        h->soft[j->index] = TAKE_PTR(j->names);
        soft_rebuild(h);
}

static void refresh_module(TokenHost *h, size_t i) {
        RefreshJob *j;

        if (h->refreshing[i] || p11_module_state(h->modules[i]) != P11_READY)
                return;
        j = calloc(1, sizeof *j);
        if (!j)
                return (void) log_oom();
        *j = (RefreshJob) { .host = h, .index = i };
        if (p11_module_submit(h->modules[i], "listing its slots", refresh_run, refresh_done, j,
                              refresh_job_free) < 0)
                refresh_job_free(j);
        else
                h->refreshing[i] = true;
}

void token_host_refresh(TokenHost *h) {
        for (size_t i = 0; h && i < h->n_modules; i++)
                refresh_module(h, i);
}

char **token_host_soft_slots(TokenHost *h) {
        return h ? h->soft_all : NULL;
}

/* Modules that can tell about slot events are asked now and then; the
 * others only when PC/SC reports a change. */
static int on_poll(sd_event_source *s, uint64_t usec _unused_, void *userdata) {
        TokenHost *h = userdata;

        for (size_t i = 0; i < h->n_modules; i++)
                if (h->waits[i])
                        refresh_module(h, i);
        /* (a oneshot source is off once it fired) */
        poll_update(h);
        return 0;
}

static void on_module_loaded(P11Module *m, void *userdata) {
        TokenHost *h = userdata;
        size_t i = module_index(h, m);

        if (i >= h->n_modules)
                return;
        refresh_module(h, i);
        if (p11_module_state(m) == P11_READY && h->observer->module_ready)
                h->observer->module_ready(h, m, h->userdata);
}

static void on_module_failed(P11Module *m, void *userdata) {
        TokenHost *h = userdata;
        size_t i = module_index(h, m);

        if (i >= h->n_modules)
                return;
        h->waits[i] = false;
        poll_update(h);
        if (h->observer->module_failed)
                h->observer->module_failed(h, m, h->userdata);
}

/* ---- jobs on a card's token ---- */

static void ref_job_free(void *p) {
        RefJob *j = p;

        if (j->free_func)
                j->free_func(j->userdata);
        free(j);
}

static int ref_job_run(P11Module *m, CK_FUNCTION_LIST *f, void *userdata) {
        RefJob *j = userdata;
        CardToken t = { .module = m, .f = f, .slot = j->slot };

        return j->job(&t, j->userdata);
}

static void ref_job_done(int result, void *userdata) {
        RefJob *j = userdata;

        j->done(result, j->userdata);
}

int token_ref_submit(TokenRef *r, const char *what, TokenJobFunc job, TokenDoneFunc done,
                     void *userdata, void (*free_func)(void *)) {
        RefJob *j;
        int k;

        j = calloc(1, sizeof *j);
        if (!j)
                return -ENOMEM;
        *j = (RefJob) { .slot = r->slot, .job = job, .userdata = userdata, .done = done };
        k = p11_module_submit(r->module, what, ref_job_run, ref_job_done, j, ref_job_free);
        if (k < 0) {
                free(j);        /* userdata stays the caller's */
                return k;
        }
        j->free_func = free_func;
        return 0;
}

TokenRef *token_ref_free(TokenRef *r) {
        free(r);
        return NULL;
}

const char *token_ref_driver(const TokenRef *r) {
        return p11_module_driver(r->module);
}

const void *token_ref_module(const TokenRef *r) {
        return r->module;
}

/* ---- the host ---- */

int token_host_new(Mailbox *mailbox, sd_event *event, const Pkcs11Config *config,
                   const TokenHostObserver *observer, void *userdata, TokenHost **ret) {
        TokenHost *h;
        int r;

        h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->observer = observer;
        h->userdata = userdata;
        h->soft_all = strv_new_empty();
        if (!h->soft_all) {
                free(h);
                return -ENOMEM;
        }
        for (size_t i = 0; i < config->n_modules; i++) {
                bool twice = false;

                for (size_t k = 0; k < i && !twice; k++)
                        twice = p11_same_file(config->modules[k].path, config->modules[i].path);
                if (twice) {
                        log_warning("PKCS#11 module %s is listed twice in Modules= (or a link to it is); "
                                    "loading it once.", config->modules[i].path);
                        continue;
                }
                r = p11_module_new(mailbox, event, &config->modules[i], config->call_timeout_sec,
                                   on_module_failed, on_module_loaded, h, &h->modules[h->n_modules]);
                if (r < 0) {
                        log_warning_errno(r, "Could not start PKCS#11 module %s: %m", config->modules[i].path);
                        continue;
                }
                h->n_modules++;
        }
        if (h->n_modules > 0) {
                /* Off until a module proves worth asking (poll_update). */
                r = sd_event_add_time_relative(event, &h->poll, CLOCK_MONOTONIC, POLL_USEC, 0, on_poll, h);
                if (r >= 0)
                        r = sd_event_source_set_enabled(h->poll, SD_EVENT_OFF);
                if (r < 0) {
                        token_host_free(h, NULL);
                        return r;
                }
        }
        *ret = h;
        return 0;
}

TokenHost *token_host_free(TokenHost *h, bool *ret_left_behind) {
        struct timespec until;
        bool left = false;

        if (ret_left_behind)
                *ret_left_behind = false;
        if (!h)
                return NULL;
        h->poll = sd_event_source_disable_unref(h->poll);
        for (size_t i = 0; i < h->n_modules; i++)
                p11_module_stop(h->modules[i]);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;      /* for all of them together */
        for (size_t i = 0; i < h->n_modules; i++) {
                left = p11_module_free_until(h->modules[i], &until) || left;
                strv_free(h->soft[i]);
        }
        strv_free(h->soft_all);
        free(h);
        if (ret_left_behind)
                *ret_left_behind = left;
        return NULL;
}
