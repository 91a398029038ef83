# An AKİS-like card for the tests: the AKİS ATR and quirks (244-byte
# responses, no extended APDUs, the proprietary CHANGE REFERENCE DATA
# 00 24 01 P2 with length-prefixed PINs), and an empty VERIFY that costs
# a try, so that a test can show kartd never sends one to it.
# Keys as in default.profile.

[card]
profile = akis
serial = 4B41525400000002
label = AKIS Test Card
manufacturer = kartd cardsim

[pin]
pin = 123456
puk = 12345678
min = 6
stored = 8
max = 8
tries = 3
puk_tries = 3
empty_verify_decrements = true

[admin]
master = 000102030405060708090A0B0C0D0E0F
key_ref = 01
key_version = 01
tries = 10

[certificates]
