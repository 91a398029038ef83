# An AKİS v3 ("SAHA") card: the record gives its ATR pattern only
# (akis.md, "Recognising an AKİS card": historical bytes
# 8066683209......31958105). Keys as in default.profile.
#
#   ATR       3B9C978131FE45806668320930000031958105AF: constructed from
#             that pattern (12 historical bytes, 30 00 00 for the dots,
#             the 2.x ATRs' interface bytes, TCK computed); not seen on a
#             card
#   files     as akis-2 (MF 3F00, DF 3D00 "PKCS-15")
#   SELECT    and READ BINARY as the 2.x set (an inference: the record
#             does not give v3's commands)
#   PIN       none established: VERIFY, CHANGE REFERENCE DATA, RESET RETRY
#             COUNTER and the SDO header read are refused (6D00) and listed
#             by the control command "forbidden". A native driver is
#             read-only here ("What this means for kartd").

[card]
profile = akis-3
serial = 4B41525400000030
label = AKIS 3 Test Card
manufacturer = kartd cardsim

[pin]
pin = 123456
puk = 12345678
min = 6
stored = 8
max = 8
tries = 3
puk_tries = 3

[certificates]
