# PKCS#11 modules for the tests of kartd's module host: one that
# misbehaves on request and one that makes SoftHSM2 count PIN tries as a
# card does. Shared objects built as check programs (libtool is set up
# without shared libraries), for `make check` only.
p11_test_modules = tests/p11/kart-p11-fake.so tests/p11/kart-p11-retry.so
check_PROGRAMS += $(p11_test_modules)
p11_module_cflags = $(AM_CFLAGS) $(P11KIT_CFLAGS) -fPIC
# Linked without libtool, which would refuse -shared here.
p11_module_link = $(CCLD) -shared -fPIC $(LDFLAGS) -o $@
tests_p11_kart_p11_fake_so_SOURCES = tests/p11/fake-module.c
tests_p11_kart_p11_fake_so_CFLAGS = $(p11_module_cflags)
tests_p11_kart_p11_fake_so_LINK = $(p11_module_link)
tests_p11_kart_p11_retry_so_SOURCES = tests/p11/retry-module.c
tests_p11_kart_p11_retry_so_CFLAGS = $(p11_module_cflags)
tests_p11_kart_p11_retry_so_LINK = $(p11_module_link)
tests_p11_kart_p11_retry_so_LDADD = -ldl
