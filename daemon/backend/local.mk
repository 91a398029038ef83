# The network side: HTTP over libcurl multi on sd-event, OCSP, the CA
# service's client and what its answers may say.
daemon_libkartd_la_SOURCES += \
	daemon/backend/http.c daemon/backend/http.h \
	daemon/backend/ocsp.c daemon/backend/ocsp.h \
	daemon/backend/ocsp-check.c daemon/backend/ocsp-check.h \
	daemon/backend/backend-client.c daemon/backend/backend-client.h \
	daemon/backend/ca-answers.c daemon/backend/ca-answers.h
