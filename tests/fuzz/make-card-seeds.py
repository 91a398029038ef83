#!/usr/bin/python3
# Writes fuzz-card's seeds (tests/fuzz/seeds/card/) from the unit tests'
# APDU scripts (tests/data/apdu/*.script): each script's answers, in
# order, behind the ATR of the card family it plays, in fuzz-card's input
# format (ATR length and ATR, the operation byte, then each answer as a
# 16-bit length and its bytes). Run it again when the scripts change.
import os
import re
import sys

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
apdu = os.path.join(top, 'tests', 'data', 'apdu')
out = os.path.join(top, 'tests', 'fuzz', 'seeds', 'card')
ATRS = {  # tests/unit/test-card-akis.c, test-card-pin.c
    'akis10': '3BBA11008131FE4D55454B41452056312E30AE',
    'akis12': '3B9F968131FE45806755454B41451293318073B3A1806B',
    'akis2': '3B9F978131FE4580655443D2210831C073F6218081055B',
}
REF_ATR = '3B8B800180574B41525453494D31C077'


def answers(path):
    replies, current = [], None
    for line in open(path, encoding='utf-8'):
        line = line.split('#', 1)[0].strip()
        if line.startswith('@include'):
            if current is not None:
                replies.append(current)
                current = None
            replies += answers(os.path.join(os.path.dirname(path), line.split(None, 1)[1]))
        elif line.startswith('>'):
            if current is not None:
                replies.append(current)
            current = b''
        elif line.startswith('<') and current is not None:
            current += bytes.fromhex(re.sub('[ :]', '', line[1:]))
        elif line.startswith('!'):
            break
    if current is not None:
        replies.append(current)
    return replies


os.makedirs(out, exist_ok=True)
for name in sorted(os.listdir(apdu)):
    if not name.endswith('.script'):
        continue
    atr = next((a for p, a in ATRS.items() if name.startswith(p)), REF_ATR)
    data = bytes([len(atr) // 2]) + bytes.fromhex(atr) + bytes([1 if 'change' in name else 0])
    for r in answers(os.path.join(apdu, name)):
        data += len(r).to_bytes(2, 'big') + r
    with open(os.path.join(out, name[:-len('.script')]), 'wb') as f:
        f.write(data)
print('%d seeds in %s' % (len(os.listdir(out)), out), file=sys.stderr)
