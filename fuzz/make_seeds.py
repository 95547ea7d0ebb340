#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into fuzz/corpus/<target>/ (seed-*). Run from the
repository root; the fuzzer adds what it finds next to them (minimised before committing: installer/dev fuzz)."""
import json, os, base64, pathlib

root = pathlib.Path(__file__).resolve().parent / "corpus"

def put(target, name, data):
    d = root / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / ("seed-" + name)).write_bytes(data)

key = base64.b64encode(bytes(range(32))).decode()
# Central's answers: first byte picks the message.
put("answers", "enroll", b"\x00" + json.dumps({"terminal_id": "T0123456789ab", "centre": "DAM-01", "name": "kiosk 1",
    "server_public_key": key, "catalogue_version": 3, "server_time_ms": 1764590000000}).encode())
put("answers", "ingest", b"\x01" + json.dumps({"acked_seq": 42, "stored": 10, "server_time_ms": 1}).encode())
put("answers", "state", b"\x02" + json.dumps({"terminal_id": "T0123456789ab", "acked_seq": 7, "last_hash": "ab" * 32,
    "status": "active", "server_time_ms": 1}).encode())
put("answers", "status", b"\x03" + json.dumps({"decisions": [{"reference": "7806-000001-2", "status": "approved",
    "note": "", "decided_at": "2026-01-01T00:00:00Z", "cursor": 5}], "cursor": 5, "server_time_ms": 1}).encode())
put("answers", "catalogue", b"\x04" + json.dumps({"up_to_date": True, "version": 3, "server_time_ms": 1}).encode())
put("answers", "error", b"\x05" + json.dumps({"error": "error.central.gap", "detail": "expected 5", "expected_seq": 5}).encode())

# A small catalogue: the seed's first services with what they refer to.
seed = json.load(open(pathlib.Path(__file__).resolve().parent.parent / "assets/catalogue/seed.json"))
small = dict(seed)
small["services"] = seed["services"][:3]
put("catalogue", "small", json.dumps(small, ensure_ascii=False))
put("catalogue", "empty-services", json.dumps(dict(seed, services=[]), ensure_ascii=False))

# Form values: service index, exemption byte, then values in form order separated by NUL.
for i, svc in enumerate(seed["services"][:8]):
    values = []
    for f in svc.get("form", []):
        t = f.get("type")
        values.append({"arabic_name": "محمد أحمد", "national_id": "٠١٠٢٠٣٠٤٠٥٠", "phone": "0944123456",
                       "date": "1990-05-17", "number": "2"}.get(t, (f.get("options") or [{"value": "x"}])[0].get("value", "x")
                       if t == "choice" else "نص"))
    put("form", "service-%d" % i, bytes([i, 0]) + "\0".join(values).encode())

# Receipt payloads as a scanner delivers them (first byte: piece size).
put("receipt", "payload", b"\x07NFR1|7806-000190-8|T62dd5ef38de5|" + base64.b64encode(bytes(64)) + b"\r\n")
put("receipt", "typed-reference", b"\x03" + "٧٨٠٦-٠٠٠١٩٠-٨\n7806 000190 8\n".encode())

# ESC/POS: piece size, flags, then bytes from the printer (status, barrier) or to it (a job).
status = bytes([0x16, 0x12, 0x12, 0x12])
put("escpos", "status", b"\x03\x01" + status + status)
put("escpos", "barrier", b"\x05\x00" + b"\x37\x22NF01\x00")
put("escpos", "noise-then-barrier", b"\x02\x00" + b"\x37\x41\x37\x22NF01\x00")
job = b"\x1b\x40" + b"\x1d\x76\x30\x00\x02\x00\x02\x00" + b"\xff\x00\x0f\xf0" + b"hello\n" + b"\x10\x04\x01" + \
      b"\x1d\x28\x48\x06\x00\x30\x30NF01" + b"\x1b\x64\x03\x1d\x56\x42\x00"
put("escpos", "job", b"\x04\x00" + job)

# Configuration: first byte picks the parser.
put("config", "sync-json", b"\x00" + json.dumps({"server_url": "https://central.example:8443/", "terminal_id": "T0123456789ab",
    "centre": "DAM-01", "server_public_key": key, "catalogue_version": 3, "status_cursor": 0}).encode())
for n, a in enumerate(["tcp://127.0.0.1:9100", "serial:///dev/ttyUSB0?baud=9600", "/dev/usb/lp0", "file:///dev/usb/lp1"]):
    put("config", "address-%d" % n, b"\x01" + a.encode())
put("config", "key", b"\x02" + base64.b64encode(bytes(range(64))))
put("config", "lang", b"\x03ar")

# Replay scripts: the kiosk tests' own.
for script in (pathlib.Path(__file__).resolve().parent.parent / "tests/kiosk").glob("*.replay"):
    put("replay", script.stem, script.read_bytes())
