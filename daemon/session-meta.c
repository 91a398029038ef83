/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CA's GET /v1/meta: whether the CA answers (BackendState, for
 * kartctl doctor), and the address of its portal, where a card holder
 * gets a verification code (doc/backend-protocol.md). Asked at start and
 * again with every session, so that a CA that was down at start is
 * heard later. [Backend] PortalURL= in kartd.conf wins over its portal. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "backend/ca-answers.h"
#include "log.h"
#include "macro.h"
#include "session-private.h"
#include "strutil.h"

#define META_MAX_ANSWER (16 * 1024)

static void set_meta(SessionManager *m, const char *state, const char *url) {
        bool portal_same = streq_ptr(url, m->ca_portal) || (!url && !m->ca_portal);
        char *copy = NULL;

        if (streq_ptr(state, m->backend_state) && portal_same)
                return;
        if (!portal_same) {
                if (url && !(copy = strdup(url)))
                        return (void) log_oom();
                free(m->ca_portal);
                m->ca_portal = copy;
        }
        m->backend_state = state;
        if (m->observer->meta_changed)
                m->observer->meta_changed(m->userdata);
}

static void set_portal(SessionManager *m, const char *url) {
        set_meta(m, "ok", url);
}

static void on_meta(int result, json_t *answer, const BackendError *e _unused_, void *userdata) {
        SessionManager *m = userdata;
        const char *portal;

        m->meta_call = NULL;
        if (result < 0) {
                log_debug_errno(result, "The CA's /v1/meta did not answer: %m");
                return set_meta(m, "unreachable", m->ca_portal);
        }
        if (ca_answer_meta(answer, &portal) < 0)
                log_warning("The CA's /v1/meta names a portal that is no https:// address a person may be "
                            "sent to; not showing it.");
        set_portal(m, portal);
}

void session_manager_fetch_meta(SessionManager *m) {
        int r;

        if (m->meta_call || !backend_client_configured(m->backend))
                return;
        r = backend_call(m->backend, "GET", "/v1/meta", NULL, NULL, META_MAX_ANSWER, on_meta, m, &m->meta_call);
        if (r < 0)
                log_debug_errno(r, "Could not ask the CA's /v1/meta: %m");
}

const char *session_manager_portal(SessionManager *m) {
        return m->portal_config ?: m->ca_portal ?: "";
}

const char *session_manager_backend_state(SessionManager *m) {
        if (!backend_client_configured(m->backend))
                return "none";
        return m->backend_state ?: "unknown";
}
