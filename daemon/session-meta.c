/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CA's GET /v1/meta: the address of its portal, where a card holder
 * gets a verification code (doc/backend-protocol.md). Asked at start and
 * again with every unlock session, so that a CA that was down at start
 * is heard later. [Backend] PortalURL= in kartd.conf wins over it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "session-private.h"
#include "strutil.h"

#define META_MAX_ANSWER (16 * 1024)

static void set_portal(SessionManager *m, const char *url) {
        char *copy = NULL;

        if (streq_ptr(url, m->ca_portal) || (!url && !m->ca_portal))
                return;
        if (url && !(copy = strdup(url)))
                return (void) log_oom();
        free(m->ca_portal);
        m->ca_portal = copy;
        if (!m->portal_config && m->observer->portal_changed)
                m->observer->portal_changed(m->userdata);
}

static void on_meta(int result, json_t *answer, const BackendError *e _unused_, void *userdata) {
        SessionManager *m = userdata;
        json_t *portal;

        m->meta_call = NULL;
        if (result < 0) {
                log_debug_errno(result, "The CA's /v1/meta did not answer: %m");
                return;
        }
        portal = json_object_get(answer, "portal");
        if (!portal || json_is_null(portal))
                return set_portal(m, NULL);
        if (!json_is_string(portal) || !https_url_valid(json_string_value(portal), PORTAL_URL_MAX)) {
                log_warning("The CA's /v1/meta names a portal that is no https:// address a person may be "
                            "sent to; not showing it.");
                return set_portal(m, NULL);
        }
        set_portal(m, json_string_value(portal));
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
