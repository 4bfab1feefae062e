#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_layered: small docker-save and OCI archives, built with
tests/lib/mkoci.py, with whiteouts, an opaque directory, several images, a nested index.

    layered_seeds.py MKOCI OUTDIR
"""
import json
import os
import subprocess
import sys
import tempfile

mkoci, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
layer1 = {"entries": [{"name": "etc", "type": "dir"}, {"name": "etc/a", "data": "a"},
                      {"name": "etc/b", "data": "b"}, {"name": "d", "type": "dir"},
                      {"name": "d/x", "data": "x"}, {"name": "l", "type": "symlink",
                                                      "link": "etc/a"}]}
layer2 = {"entries": [{"name": "etc/.wh.a"}, {"name": "d/.wh..wh..opq"},
                      {"name": "d/y", "data": "y"}, {"name": "h", "type": "hardlink",
                                                      "link": "etc/b"}]}
config = {"Entrypoint": ["/bin/sh"], "Cmd": ["-c", "echo hi"], "Env": ["A=1"],
          "WorkingDir": "/d", "User": "1:1"}
seeds = {
    "oci-gzip.tar": {"format": "oci-tar", "images": [
        {"name": "a:1", "config": config, "layers": [layer1, layer2]}]},
    "oci-plain-nested.tar": {"format": "oci-tar", "compress": "none", "nested": True,
                             "images": [{"name": "a:1", "config": config,
                                         "layers": [layer1, layer2]}]},
    "docker.tar": {"format": "docker-tar", "images": [
        {"name": "a:1", "config": config, "layers": [layer1, layer2]}]},
    "docker-two.tar": {"format": "docker-tar", "first": "layers", "images": [
        {"name": "a:1", "config": config, "layers": [layer1]},
        {"name": "b:2", "config": {}, "layers": [layer1, layer2]}]},
}
with tempfile.TemporaryDirectory() as tmp:
    for name, spec in seeds.items():
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(spec, f)
        subprocess.run([sys.executable, mkoci, path, os.path.join(out, name)], check=True,
                       stdout=subprocess.DEVNULL)
