/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PKCS#11 module that misbehaves on request, for kartd's robustness
 * tests. KART_P11_FAKE says how:
 *   ok               one software token, "Fake slot", serial FAKE0001, no
 *                    certificates, PIN 123456
 *   bad-strings      the token's label, model and serial are not UTF-8 and
 *                    hold control characters (the serial: URL ones too)
 *   block-token-info C_GetTokenInfo never returns
 *   block-login      C_Login and C_SetPIN never return
 *   block-init       C_Initialize never returns
 *   garbage          C_GetFunctionList hands out a list with no functions
 *   crash            C_GetFunctionList crashes (SIGSEGV)
 *   block-list       C_GetFunctionList never returns
 *   growing-value    as ok, with one certificate, ID 01, whose CKA_VALUE is
 *                    the file KART_P11_FAKE_CERT; asked for the value, the
 *                    module copies the file but claims 4096 bytes more
 *   no-locking       as ok, but C_Initialize answers CKR_ARGUMENTS_BAD to
 *                    CKF_OS_LOCKING_OK (as the AKİS module does)
 *   crash-login, crash-setpin, crash-find, crash-tokeninfo
 *                    as ok, but C_Login, C_SetPIN, C_FindObjects or
 *                    C_GetTokenInfo raises SIGSEGV
 *   hang-login, hang-setpin, hang-find, hang-tokeninfo
 *                    the same calls never return
 *   sandbox-probe    as ok, but the token's label tells whether
 *                    socket(AF_INET) and socket(AF_UNIX) work ("inet:ok" or
 *                    "inet:E<errno>", then "unix:ok" or "unix:E<errno>"),
 *                    and its model how many environment variables the
 *                    module sees and whether the system bus's address is
 *                    among them ("env:N bus:none" or "bus:set")
 * The crash-* and hang-* faults strike only while the file named by
 * KART_P11_FAKE_TRIGGER exists, so that a test can arm them once the
 * token is listed; without it they always strike, except C_GetTokenInfo's,
 * which lets its first call through.
 * With KART_P11_FAKE_PRESENT=FILE the token is there only while FILE
 * exists, and C_WaitForSlotEvent(CKF_DONT_BLOCK) reports each change.
 * KART_P11_FAKE_SLOT=NAME gives the slot that description (a PC/SC
 * reader's name: the module then serves the card in that reader);
 * KART_P11_FAKE_LOG=FILE gets a line for every C_Login ("login") and
 * C_SetPIN ("set-pin"), without the PINs, and for every C_CloseAllSessions
 * ("close-all"). The token remembers a login until C_Logout, the closing
 * of its session (the module has one session handle) or C_CloseAllSessions:
 * a second C_Login answers CKR_USER_ALREADY_LOGGED_IN. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define SLOT 7
#define CERT_OBJECT 1
#define CERT_MAX 8192

static const char *mode(void) {
        const char *m = getenv("KART_P11_FAKE");

        return m ? m : "ok";
}

static int last_present = -1;

static int present(void) {
        const char *f = getenv("KART_P11_FAKE_PRESENT");

        return !f || access(f, F_OK) == 0;
}

static void log_call(const char *what) {
        const char *path = getenv("KART_P11_FAKE_LOG");
        FILE *f = path ? fopen(path, "ae") : NULL;

        if (f) {
                fprintf(f, "%s\n", what);
                fclose(f);
        }
}

static void block_if(const char *what) {
        if (strcmp(mode(), what) == 0)
                for (;;)
                        pause();
}

/* A crash-WHAT or hang-WHAT fault, if the mode asks for it and it is
 * armed. first: C_GetTokenInfo's first call, let through without a
 * trigger file (loading and the first scan need it). */
static void fault_if(const char *what, int first) {
        const char *trigger = getenv("KART_P11_FAKE_TRIGGER");
        const char *m = mode();
        int crash = strncmp(m, "crash-", 6) == 0, hang = strncmp(m, "hang-", 5) == 0;

        if ((!crash && !hang) || strcmp(m + (crash ? 6 : 5), what) != 0)
                return;
        if (trigger ? access(trigger, F_OK) != 0 : first)
                return;
        if (crash) {
                signal(SIGSEGV, SIG_DFL);       /* a module's crash, not a sanitizer's finding */
                raise(SIGSEGV);
        }
        for (;;)
                pause();
}

static void pad(unsigned char *field, size_t size, const char *s) {
        memset(field, ' ', size);
        memcpy(field, s, strlen(s) < size ? strlen(s) : size);
}

static int initialized, logged_in;

static CK_RV fake_initialize(void *args) {
        const CK_C_INITIALIZE_ARGS *a = args;

        block_if("block-init");
        if (strcmp(mode(), "no-locking") == 0 && a && (a->flags & CKF_OS_LOCKING_OK))
                return CKR_ARGUMENTS_BAD;
        if (initialized)
                return CKR_CRYPTOKI_ALREADY_INITIALIZED;
        initialized = 1;
        return CKR_OK;
}

static CK_RV fake_finalize(void *reserved) {
        (void) reserved;
        if (!initialized)
                return CKR_CRYPTOKI_NOT_INITIALIZED;
        initialized = 0;
        logged_in = 0;
        return CKR_OK;
}

static CK_RV fake_get_info(CK_INFO *info) {
        memset(info, 0, sizeof *info);
        info->cryptokiVersion.major = 2;
        info->cryptokiVersion.minor = 40;
        pad(info->manufacturerID, sizeof info->manufacturerID, "kartd tests");
        pad(info->libraryDescription, sizeof info->libraryDescription, "fake module");
        return CKR_OK;
}

static CK_RV fake_get_slot_list(CK_BBOOL token_present, CK_SLOT_ID *list, CK_ULONG *count) {
        if (token_present && !present()) {
                *count = 0;
                return CKR_OK;
        }
        if (list && *count < 1) {
                *count = 1;
                return CKR_BUFFER_TOO_SMALL;
        }
        if (list)
                list[0] = SLOT;
        *count = 1;
        return CKR_OK;
}

static CK_RV fake_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO *info) {
        if (slot != SLOT)
                return CKR_SLOT_ID_INVALID;
        memset(info, 0, sizeof *info);
        pad(info->slotDescription, sizeof info->slotDescription,
            getenv("KART_P11_FAKE_SLOT") ? getenv("KART_P11_FAKE_SLOT") : "Fake slot");
        pad(info->manufacturerID, sizeof info->manufacturerID, "kartd tests");
        info->flags = present() ? CKF_TOKEN_PRESENT : 0;
        return CKR_OK;
}

/* sandbox-probe: what the module may do where it runs. */
static void probe_socket(char *buf, size_t size, const char *what, int family) {
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                snprintf(buf, size, "%s:E%d", what, errno);
        else {
                snprintf(buf, size, "%s:ok", what);
                close(fd);
        }
}

static void probe_sandbox(CK_TOKEN_INFO *info) {
        extern char **environ;
        char inet[16], unix_[16], label[40], env[40];
        int n = 0;

        probe_socket(inet, sizeof inet, "inet", AF_INET);
        probe_socket(unix_, sizeof unix_, "unix", AF_UNIX);
        snprintf(label, sizeof label, "%s %s", inet, unix_);
        pad(info->label, sizeof info->label, label);
        for (char **e = environ; e && *e; e++)
                n++;
        snprintf(env, sizeof env, "env:%d bus:%s", n, getenv("DBUS_SYSTEM_BUS_ADDRESS") ? "set" : "none");
        pad(info->model, sizeof info->model, env);
}

static int token_info_calls;

static CK_RV fake_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info) {
        if (slot != SLOT)
                return CKR_SLOT_ID_INVALID;
        block_if("block-token-info");
        fault_if("tokeninfo", token_info_calls++ == 0);
        if (!present())
                return CKR_TOKEN_NOT_PRESENT;
        memset(info, 0, sizeof *info);
        pad(info->label, sizeof info->label, "Fake token");
        pad(info->manufacturerID, sizeof info->manufacturerID, "kartd tests");
        pad(info->model, sizeof info->model, "Fake");
        pad(info->serialNumber, sizeof info->serialNumber, "FAKE0001");
        if (strcmp(mode(), "bad-strings") == 0) {
                pad(info->label, sizeof info->label, "Bad\xff\xfe\x01label\xc3");
                pad(info->model, sizeof info->model, "\x1b[2JModel");
                pad(info->serialNumber, sizeof info->serialNumber, "FA&KE\xff 01/?#");
        }
        if (strcmp(mode(), "sandbox-probe") == 0)
                probe_sandbox(info);
        info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
        info->ulMinPinLen = 4;
        info->ulMaxPinLen = 8;
        return CKR_OK;
}

static CK_RV fake_open_session(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify,
                               CK_SESSION_HANDLE *session) {
        (void) flags, (void) app, (void) notify;
        if (slot != SLOT)
                return CKR_SLOT_ID_INVALID;
        *session = 1;
        return CKR_OK;
}

static CK_RV fake_close_session(CK_SESSION_HANDLE session) {
        (void) session;
        logged_in = 0;
        return CKR_OK;
}

static CK_RV fake_close_all_sessions(CK_SLOT_ID slot) {
        if (slot != SLOT)
                return CKR_SLOT_ID_INVALID;
        log_call("close-all");
        logged_in = 0;
        return CKR_OK;
}

static CK_RV fake_login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG len) {
        (void) session, (void) user;
        block_if("block-login");
        log_call("login");      /* before a fault: a call that crashes shows too */
        fault_if("login", 0);
        if (logged_in)
                return CKR_USER_ALREADY_LOGGED_IN;
        if (len != 6 || memcmp(pin, "123456", 6) != 0)
                return CKR_PIN_INCORRECT;
        logged_in = 1;
        return CKR_OK;
}

static CK_RV fake_logout(CK_SESSION_HANDLE session) {
        (void) session;
        if (!logged_in)
                return CKR_USER_NOT_LOGGED_IN;
        logged_in = 0;
        return CKR_OK;
}

static CK_RV fake_set_pin(CK_SESSION_HANDLE session, CK_UTF8CHAR *old, CK_ULONG old_len,
                          CK_UTF8CHAR *new, CK_ULONG new_len) {
        (void) session, (void) old, (void) old_len, (void) new, (void) new_len;
        block_if("block-login");
        log_call("set-pin");
        fault_if("setpin", 0);
        return CKR_FUNCTION_NOT_SUPPORTED;
}

static int found;

static CK_RV fake_find_init(CK_SESSION_HANDLE session, CK_ATTRIBUTE *templ, CK_ULONG count) {
        (void) session, (void) templ, (void) count;
        found = 0;
        return CKR_OK;
}

static CK_RV fake_find(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE *objects, CK_ULONG max, CK_ULONG *count) {
        (void) session;
        fault_if("find", 0);
        *count = 0;
        if (strcmp(mode(), "growing-value") == 0 && !found && max > 0) {
                objects[0] = CERT_OBJECT;
                *count = 1;
                found = 1;
        }
        return CKR_OK;
}

static CK_RV fake_find_final(CK_SESSION_HANDLE session) {
        (void) session;
        return CKR_OK;
}

/* growing-value: the certificate's CKA_VALUE, with a length that grows
 * between the call that asks for it and the one that reads it. */
static CK_RV fake_get_attribute(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *templ,
                                CK_ULONG count) {
        static const unsigned char id[] = { 0x01 };
        unsigned char der[CERT_MAX];
        const char *path = getenv("KART_P11_FAKE_CERT");
        size_t len = 0;
        CK_RV rv = CKR_OK;
        FILE *f;

        (void) session;
        if (strcmp(mode(), "growing-value") != 0 || object != CERT_OBJECT)
                return CKR_OBJECT_HANDLE_INVALID;
        if (path && (f = fopen(path, "rb"))) {
                len = fread(der, 1, sizeof der, f);
                fclose(f);
        }
        for (CK_ULONG i = 0; i < count; i++) {
                const void *value = templ[i].type == CKA_VALUE ? (const void *) der :
                                    templ[i].type == CKA_ID ? (const void *) id : NULL;
                size_t size = templ[i].type == CKA_VALUE ? len : sizeof id;

                if (!value) {
                        templ[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
                        rv = CKR_ATTRIBUTE_TYPE_INVALID;
                        continue;
                }
                if (templ[i].pValue && templ[i].ulValueLen < size) {
                        templ[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
                        rv = CKR_BUFFER_TOO_SMALL;
                        continue;
                }
                if (templ[i].pValue)
                        memcpy(templ[i].pValue, value, size);
                templ[i].ulValueLen = size + (templ[i].pValue && templ[i].type == CKA_VALUE ? 4096 : 0);
        }
        return rv;
}

static CK_RV fake_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID *slot, void *reserved) {
        int now = present();

        (void) reserved;
        if (!getenv("KART_P11_FAKE_PRESENT"))
                return CKR_FUNCTION_NOT_SUPPORTED;
        if (!(flags & CKF_DONT_BLOCK))
                return CKR_FUNCTION_NOT_SUPPORTED;
        if (now == last_present)
                return CKR_NO_EVENT;
        last_present = now;
        *slot = SLOT;
        return CKR_OK;
}

static CK_FUNCTION_LIST functions = {
        .version = { 2, 40 },
        .C_Initialize = fake_initialize,
        .C_Finalize = fake_finalize,
        .C_GetInfo = fake_get_info,
        .C_GetFunctionList = C_GetFunctionList,
        .C_GetSlotList = fake_get_slot_list,
        .C_GetSlotInfo = fake_get_slot_info,
        .C_GetTokenInfo = fake_get_token_info,
        .C_WaitForSlotEvent = fake_wait_for_slot_event,
        .C_OpenSession = fake_open_session,
        .C_CloseSession = fake_close_session,
        .C_CloseAllSessions = fake_close_all_sessions,
        .C_Login = fake_login,
        .C_Logout = fake_logout,
        .C_SetPIN = fake_set_pin,
        .C_FindObjectsInit = fake_find_init,
        .C_FindObjects = fake_find,
        .C_FindObjectsFinal = fake_find_final,
        .C_GetAttributeValue = fake_get_attribute,
};

static CK_FUNCTION_LIST garbage;

CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list) {
        if (strcmp(mode(), "crash") == 0)
                raise(SIGSEGV);
        block_if("block-list");
        *list = strcmp(mode(), "garbage") == 0 ? &garbage : &functions;
        return CKR_OK;
}
