#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check.py SCHEMA FILE: FILE is a speedscope JSON file: valid against SCHEMA (jsonschema), and
what the schema cannot say: frame indices in range, as many weights as samples, endValue the sum
of the weights, startValue 0.  Prints "profiles: N" and per profile "NAME UNIT SAMPLES SUM"."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
nframes = len(doc["shared"]["frames"])
assert 0 <= doc.get("activeProfileIndex", 0) < max(len(doc["profiles"]), 1), "activeProfileIndex out of range"
print("profiles:", len(doc["profiles"]))
for p in doc["profiles"]:
    assert len(p["samples"]) == len(p["weights"]), p["name"] + ": samples and weights differ in length"
    for s in p["samples"]:
        assert all(i < nframes for i in s), p["name"] + ": frame index out of range"
    assert p["startValue"] == 0 and p["endValue"] == sum(p["weights"]), p["name"] + ": endValue is not the sum"
    print(p["name"], p["unit"], len(p["samples"]), sum(p["weights"]), sep="\t")
