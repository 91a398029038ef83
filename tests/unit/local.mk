# Unit tests of the daemon library and common code (cmocka, TAP output).
unit_tests = \
	tests/unit/test-error-map \
	tests/unit/test-apdu \
	tests/unit/test-strutil
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

unit_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/card $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_error_map_SOURCES = tests/unit/test-error-map.c
tests_unit_test_error_map_CPPFLAGS = $(unit_cppflags)
tests_unit_test_error_map_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_apdu_SOURCES = tests/unit/test-apdu.c
tests_unit_test_apdu_CPPFLAGS = $(unit_cppflags)
tests_unit_test_apdu_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
tests_unit_test_strutil_SOURCES = tests/unit/test-strutil.c
tests_unit_test_strutil_CPPFLAGS = $(unit_cppflags)
tests_unit_test_strutil_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
