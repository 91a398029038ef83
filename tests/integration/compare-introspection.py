#!/usr/bin/python3
"""Compares what a D-Bus object serves with the project's contract XML.

usage: compare-introspection.py CONTRACT.xml SERVED.xml

Both files are D-Bus introspection XML; every interface of the contract
must be served with exactly the same methods (argument names, types,
directions), signals, properties (type, access, EmitsChangedSignal).
Doc comments and other annotations are ignored. Exit 0 when equal.
"""
import sys
import xml.etree.ElementTree as ET

ECS = "org.freedesktop.DBus.Property.EmitsChangedSignal"


def members(iface):
    out = set()
    for m in iface.findall("method"):
        args = tuple((a.get("name"), a.get("type"), a.get("direction", "in")) for a in m.findall("arg"))
        out.add(("method", m.get("name"), args))
    for s in iface.findall("signal"):
        args = tuple((a.get("name"), a.get("type")) for a in s.findall("arg"))
        out.add(("signal", s.get("name"), args))
    for p in iface.findall("property"):
        ecs = "true"
        for a in p.findall("annotation"):
            if a.get("name") == ECS:
                ecs = a.get("value")
        out.add(("property", p.get("name"), (p.get("type"), p.get("access"), ecs)))
    return out


def interfaces(path):
    root = ET.parse(path).getroot()
    return {i.get("name"): members(i) for i in root.iter("interface")}


def main():
    contract, served = interfaces(sys.argv[1]), interfaces(sys.argv[2])
    ok = True
    for name, want in contract.items():
        got = served.get(name)
        if got is None:
            print(f"{name}: not served")
            ok = False
            continue
        for m in sorted(want - got, key=str):
            print(f"{name}: missing or different: {m}")
            ok = False
        for m in sorted(got - want, key=str):
            print(f"{name}: served but not in the contract: {m}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
