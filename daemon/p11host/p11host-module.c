/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11host.h"

/* A module that lists more slots than this is not a card module. */
#define HOST_MAX_SLOTS 1024

/* The same minimum as kartd's own (list_usable() in
 * daemon/card/p11-module.c): what kartd calls must be there. */
static bool list_usable(const CK_FUNCTION_LIST *f) {
        return f && f->version.major == 2 &&
               f->C_Initialize && f->C_Finalize && f->C_GetInfo && f->C_GetSlotList && f->C_GetSlotInfo &&
               f->C_GetTokenInfo && f->C_OpenSession && f->C_CloseSession && f->C_Login && f->C_Logout &&
               f->C_SetPIN && f->C_FindObjectsInit && f->C_FindObjects && f->C_FindObjectsFinal &&
               f->C_GetAttributeValue;
}

int host_load_module(bool os_locking, CK_FUNCTION_LIST **ret) {
        CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
        CK_FUNCTION_LIST *f = NULL;
        CK_C_GetFunctionList get;
        char self[32];
        void *dl;
        CK_RV rv;

        /* the very file kartd opened and checked */
        snprintf(self, sizeof self, "/proc/self/fd/%d", HOST_FD_MODULE);
        dl = dlopen(self, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                host_log("The module is not a shared object that can be loaded: %s", dlerror());
                return HOST_EXIT_NO_LIBRARY;
        }
        (void) close(HOST_FD_MODULE);

        get = (CK_C_GetFunctionList) dlsym(dl, "C_GetFunctionList");
        if (!get) {
                host_log("The module is not a PKCS#11 module (no C_GetFunctionList).");
                return HOST_EXIT_NOT_PKCS11;
        }
        rv = get(&f);
        if (rv != CKR_OK) {
                host_log("The module's C_GetFunctionList failed with 0x%lx.", (unsigned long) rv);
                return HOST_EXIT_BAD_LIST;
        }
        if (!list_usable(f)) {
                host_log("The module's C_GetFunctionList returned an unusable list.");
                return HOST_EXIT_BAD_LIST;
        }

        /* Once, for the host's whole life: kartd's connections come and
         * go, the module stays initialized. */
        rv = f->C_Initialize(os_locking ? &args : NULL);
        if (rv != CKR_OK) {
                host_log("The module's C_Initialize%s failed with 0x%lx%s.",
                         os_locking ? " with CKF_OS_LOCKING_OK" : "", (unsigned long) rv,
                         rv == CKR_ARGUMENTS_BAD || rv == CKR_CANT_LOCK ? " (try it in or out of OSLocking=)" : "");
                return HOST_EXIT_INIT_FAILED;
        }
        *ret = f;
        return 0;
}

/* p11-kit's RPC server initializes what it serves at each connection,
 * always with CKF_OS_LOCKING_OK (which the AKİS module refuses), and
 * finalizes it when the client does. */
static CK_RV served_initialize(void *args _unused_) {
        return CKR_OK;
}

static CK_RV served_finalize(void *reserved _unused_) {
        return CKR_OK;
}

static CK_RV not_supported(void) {
        return CKR_FUNCTION_NOT_SUPPORTED;
}

void host_served_list(const CK_FUNCTION_LIST *module, CK_FUNCTION_LIST *ret) {
        typedef CK_RV (*AnyFunction)(void);
        const AnyFunction stub = not_supported;

        *ret = *module;
        ret->C_GetFunctionList = NULL;  /* would hand out the module's own list */

        /* p11-kit's server calls what the list holds without looking:
         * each function the module left out answers "not supported". The
         * stub takes no arguments and the caller's are ignored, which
         * every C calling convention of Linux allows (the caller cleans
         * up). Every member after the version is a function pointer. */
        for (size_t off = offsetof(CK_FUNCTION_LIST, C_Initialize); off + sizeof stub <= sizeof *ret;
             off += sizeof stub) {
                AnyFunction fn;

                memcpy(&fn, (char *) ret + off, sizeof fn);
                if (!fn)
                        memcpy((char *) ret + off, &stub, sizeof stub);
        }
        ret->C_Initialize = served_initialize;
        ret->C_Finalize = served_finalize;
}

/* After a connection: whatever the client left open or logged in is
 * closed, so that the next one finds no PIN verified. */
void host_close_all_sessions(CK_FUNCTION_LIST *f) {
        _cleanup_free_ CK_SLOT_ID *slots = NULL;
        CK_RV rv = CKR_GENERAL_ERROR;
        CK_ULONG n = 0;

        if (!f->C_CloseAllSessions)
                return;
        for (unsigned tries = 0; tries < 3; tries++) {
                rv = f->C_GetSlotList(CK_FALSE, NULL, &n);
                if (rv != CKR_OK)
                        break;
                if (n == 0)
                        return;
                if (n > HOST_MAX_SLOTS) {
                        rv = CKR_BUFFER_TOO_SMALL;
                        break;
                }
                free(slots);
                slots = calloc(n, sizeof *slots);
                if (!slots) {
                        rv = CKR_HOST_MEMORY;
                        break;
                }
                rv = f->C_GetSlotList(CK_FALSE, slots, &n);
                if (rv == CKR_BUFFER_TOO_SMALL)
                        continue;       /* a reader came meanwhile */
                if (rv != CKR_OK)
                        break;
                for (CK_ULONG i = 0; i < n; i++)
                        (void) f->C_CloseAllSessions(slots[i]);
                return;
        }
        host_log("Could not list the module's slots to close the sessions left open (0x%lx).", (unsigned long) rv);
}
