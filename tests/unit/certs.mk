# Unit tests of the CDF parser and of the certificate reader (cmocka, TAP
# output). Include inside "if HAVE_CMOCKA".
cert_tests = \
	tests/unit/test-cdf \
	tests/unit/test-x509-info \
	tests/unit/test-ocsp
check_PROGRAMS += $(cert_tests)
TESTS += $(cert_tests)

tests_unit_test_cdf_SOURCES = tests/unit/test-cdf.c
tests_unit_test_cdf_CPPFLAGS = $(unit_cppflags) $(OPENSSL_CFLAGS)
tests_unit_test_cdf_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

tests_unit_test_x509_info_SOURCES = tests/unit/test-x509-info.c
tests_unit_test_x509_info_CPPFLAGS = $(unit_cppflags) $(OPENSSL_CFLAGS)
tests_unit_test_x509_info_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

tests_unit_test_ocsp_SOURCES = tests/unit/test-ocsp.c
tests_unit_test_ocsp_CPPFLAGS = $(unit_cppflags) $(OPENSSL_CFLAGS)
tests_unit_test_ocsp_LDADD = daemon/libkartd.la $(CMOCKA_LIBS) $(OPENSSL_LIBS)

# Made once by tests/data/certs/make-certs.sh (its keys thrown away).
EXTRA_DIST += \
	tests/data/certs/make-certs.sh \
	tests/data/certs/auth.der \
	tests/data/certs/expired.der \
	tests/data/certs/noext.der \
	tests/data/certs/root.der \
	tests/data/certs/sign.der

# The simulators' admin-key cryptography (backend protocol v1 test vector).
check_PROGRAMS += tests/unit/test-admin-key
TESTS += tests/unit/test-admin-key
tests_unit_test_admin_key_SOURCES = tests/unit/test-admin-key.c
tests_unit_test_admin_key_CPPFLAGS = $(unit_cppflags) -I$(top_srcdir)/sim/common
tests_unit_test_admin_key_LDADD = sim/common/libkartsim.la $(CMOCKA_LIBS)
