/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* kart-p11-host: one PKCS#11 module in a process of its own, served to
 * kartd over p11-kit's RPC. kartd starts it as
 *
 *     kart-p11-host [--os-locking] NAME
 *
 * with the module file open on descriptor 3 and a listening AF_UNIX
 * stream socket on descriptor 4. The exit codes are part of that
 * contract: kartd turns them into its log line. */

#define HOST_FD_MODULE 3
#define HOST_FD_LISTEN 4

enum {
        HOST_EXIT_STOPPED = 0,          /* kartd shut the listening socket down */
        HOST_EXIT_FAILED = 1,           /* accept() failed otherwise */
        HOST_EXIT_USAGE = 2,            /* wrong arguments, or descriptors 3 and 4 are not as above */
        HOST_EXIT_NOT_PKCS11 = 3,       /* no C_GetFunctionList */
        HOST_EXIT_NO_LIBRARY = 4,       /* not a shared object that can be loaded */
        HOST_EXIT_BAD_LIST = 5,         /* C_GetFunctionList fails, or its list is unusable */
        HOST_EXIT_INIT_FAILED = 6,      /* C_Initialize failed */
        HOST_EXIT_SANDBOX = 7,          /* the sandbox could not be set up */
};
