# Unit tests of the daemon library and common code (cmocka, TAP output).
unit_tests = \
	tests/unit/test-error-map \
	tests/unit/test-states \
	tests/unit/test-apdu \
	tests/unit/test-strutil \
	tests/unit/test-secret \
	tests/unit/test-card-pin \
	tests/unit/test-p11-token
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

unit_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/card $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_error_map_SOURCES = tests/unit/test-error-map.c
tests_unit_test_error_map_CPPFLAGS = $(unit_cppflags)
tests_unit_test_error_map_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_states_SOURCES = tests/unit/test-states.c
tests_unit_test_states_CPPFLAGS = $(unit_cppflags)
tests_unit_test_states_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_apdu_SOURCES = tests/unit/test-apdu.c
tests_unit_test_apdu_CPPFLAGS = $(unit_cppflags)
tests_unit_test_apdu_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
tests_unit_test_strutil_SOURCES = tests/unit/test-strutil.c
tests_unit_test_strutil_CPPFLAGS = $(unit_cppflags)
tests_unit_test_strutil_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_secret_SOURCES = tests/unit/test-secret.c
tests_unit_test_secret_CPPFLAGS = $(unit_cppflags)
tests_unit_test_secret_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_card_pin_SOURCES = \
	tests/unit/test-card-pin.c \
	tests/unit/fake-transport.c \
	tests/unit/fake-transport.h
tests_unit_test_card_pin_CPPFLAGS = $(unit_cppflags)
tests_unit_test_card_pin_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
tests_unit_test_p11_token_SOURCES = tests/unit/test-p11-token.c
tests_unit_test_p11_token_CPPFLAGS = $(unit_cppflags)
tests_unit_test_p11_token_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_token_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# %m in log lines.
check_PROGRAMS += tests/unit/test-log
TESTS += tests/unit/test-log
tests_unit_test_log_SOURCES = tests/unit/test-log.c
tests_unit_test_log_CPPFLAGS = $(unit_cppflags)
tests_unit_test_log_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
# The bounds on a guarded call's arguments, checked before it is parked.
check_PROGRAMS += tests/unit/test-auth-args
TESTS += tests/unit/test-auth-args
tests_unit_test_auth_args_SOURCES = tests/unit/test-auth-args.c
tests_unit_test_auth_args_CPPFLAGS = $(unit_cppflags) -I$(top_srcdir)/daemon
tests_unit_test_auth_args_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# The PIN states remembered per card serial.
check_PROGRAMS += tests/unit/test-pin-memo
TESTS += tests/unit/test-pin-memo
tests_unit_test_pin_memo_SOURCES = tests/unit/test-pin-memo.c
tests_unit_test_pin_memo_CPPFLAGS = $(unit_cppflags) -I$(top_srcdir)/daemon
tests_unit_test_pin_memo_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# A card serial in the backend's URL.
check_PROGRAMS += tests/unit/test-backend-query
TESTS += tests/unit/test-backend-query
tests_unit_test_backend_query_SOURCES = tests/unit/test-backend-query.c
tests_unit_test_backend_query_CPPFLAGS = $(unit_cppflags)
tests_unit_test_backend_query_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_backend_query_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# What kartd takes from the CA's answers and its unlock journal.
check_PROGRAMS += tests/unit/test-ca-answers
TESTS += tests/unit/test-ca-answers
tests_unit_test_ca_answers_SOURCES = tests/unit/test-ca-answers.c
tests_unit_test_ca_answers_CPPFLAGS = $(unit_cppflags)
tests_unit_test_ca_answers_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_ca_answers_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# The AKİS driver, one scripted card per command set of the record.
check_PROGRAMS += tests/unit/test-card-akis
TESTS += tests/unit/test-card-akis
tests_unit_test_card_akis_SOURCES = \
	tests/unit/test-card-akis.c \
	tests/unit/fake-transport.c \
	tests/unit/fake-transport.h
tests_unit_test_card_akis_CPPFLAGS = $(unit_cppflags)
tests_unit_test_card_akis_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# The card side of the online unlock, against scripted cards as well.
check_PROGRAMS += tests/unit/test-card-unlock
TESTS += tests/unit/test-card-unlock
tests_unit_test_card_unlock_SOURCES = \
	tests/unit/test-card-unlock.c \
	tests/unit/fake-transport.c \
	tests/unit/fake-transport.h
tests_unit_test_card_unlock_CPPFLAGS = $(unit_cppflags)
tests_unit_test_card_unlock_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

# The APDU scripts the fake transport replays (tests/unit/fake-transport.h):
# the whole directory.
EXTRA_DIST += tests/data/apdu
