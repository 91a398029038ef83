/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "web-password-schema.h"

const SecretSchema kart_web_password_schema = {
        "org.kartd.WebPassword", SECRET_SCHEMA_NONE,
        {
                { "serial",  SECRET_SCHEMA_ATTRIBUTE_STRING },
                { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
                { NULL, 0 },
        },
        0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
