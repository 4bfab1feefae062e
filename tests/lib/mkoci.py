#!/usr/bin/env python3
"""Builds layered images for the tests, by hand (no registry, no docker): OCI image layouts (a
directory or a tar) and docker-save archives, from a JSON spec.

    mkoci.py SPEC.json OUT

SPEC:
  {"format": "oci-dir" | "oci-tar" | "docker-tar" | "docker-dir",
   "compress": "gzip" | "zstd" | "none",           # layer blobs (OCI); docker save: none
   "first": "manifest" | "layers",                 # archives: which members come first
   "nested": true,                                 # OCI: each image behind an index listing
                                                   #   linux/arm64 first, then linux/amd64
   "images": [{
       "name": "example.com/app:1",                # RepoTags / ref.name annotation
       "config": {"Entrypoint": [...], "Cmd": [...], "Env": [...],
                  "WorkingDir": "/w", "User": "1000:1000"},
       "layers": [LAYER, ...],                     # lowest first
       "corrupt_config": true,                     # changed after its digest was taken
       "corrupt_manifest": true}]}                 # the same (OCI)

LAYER is one of
  {"dir": PATH}        the directory's contents (./...), sorted, owned by 0:0 unless "owners"
                       {"rel/path": [uid, gid]} says otherwise; files named .wh.* in it are
                       written as they are (whiteouts, .wh..wh..opq)
  {"entries": [...]}   raw members: {"name", "type": "file|dir|symlink|hardlink|char",
                       "data", "link", "mode", "uid", "gid"}, names kept verbatim
and may carry:
  "corrupt": true      the blob is changed after its digest was computed (one byte flipped)
  "wrong_diff": true   the config's diff_id for it is wrong
  "path": "x"          docker: the member name to use (default <hex>/layer.tar); a layer
                       seen before under another name becomes a symlink to it

Prints the manifest digest and config digest of each image: "NAME MANIFEST CONFIG".
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MT = {
    "index": "application/vnd.oci.image.index.v1+json",
    "manifest": "application/vnd.oci.image.manifest.v1+json",
    "config": "application/vnd.oci.image.config.v1+json",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def layer_tar(spec):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if "dir" in spec:
            root = spec["dir"]
            owners = spec.get("owners", {})

            def add(rel):
                full = os.path.join(root, rel)
                ti = tar.gettarinfo(full, arcname=rel)
                ti.uid, ti.gid = owners.get(rel, (0, 0))
                ti.uname = ti.gname = ""
                ti.mtime = 1700000000
                if ti.isreg():
                    with open(full, "rb") as f:
                        tar.addfile(ti, f)
                else:
                    tar.addfile(ti)

            for top, dirs, files in os.walk(root):
                dirs.sort()
                for name in sorted(dirs + files):
                    add(os.path.relpath(os.path.join(top, name), root))
        for e in spec.get("entries", []):
            ti = tarfile.TarInfo(e["name"])
            kind = e.get("type", "file")
            ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                       "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE}[kind]
            ti.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            ti.uid, ti.gid = e.get("uid", 0), e.get("gid", 0)
            ti.mtime = 1700000000
            ti.linkname = e.get("link", "")
            data = e.get("data", "").encode()
            if kind == "file":
                ti.size = len(data)
                tar.addfile(ti, io.BytesIO(data))
            else:
                tar.addfile(ti)
    return buf.getvalue()


def compress(raw, how):
    if how == "gzip":
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-3", "-c"], input=raw, stdout=subprocess.PIPE,
                              check=True).stdout
    return raw


def flip(b):
    b = bytearray(b)
    b[len(b) // 2] ^= 0x55
    return bytes(b)


def build(spec):
    """Returns (files: {path: bytes}, links: {path: target}, order, report)."""
    fmt = spec["format"]
    how = spec.get("compress", "gzip") if fmt.startswith("oci") else "none"
    files, links, report = {}, {}, []
    layer_members, meta_members = [], []
    index, docker_manifest = [], []
    seen_layers = {}
    for img in spec["images"]:
        diffs, descs, paths = [], [], []
        for l in img["layers"]:
            raw = layer_tar(l)
            diff = sha(raw)
            blob = compress(raw, how)
            digest = sha(blob)
            if l.get("corrupt"):
                blob = flip(blob)
            diffs.append("sha256:" + (sha(b"x" + raw) if l.get("wrong_diff") else diff))
            descs.append({"mediaType": MT[how], "digest": "sha256:" + digest, "size": len(blob)})
            if fmt.startswith("oci"):
                path = "blobs/sha256/" + digest
            else:
                path = l.get("path", digest + "/layer.tar")
            if path in files and files[path] != blob:
                raise SystemExit("mkoci: two different layers at " + path)
            if digest in seen_layers and seen_layers[digest] != path:
                # docker save links a repeated layer to its first copy
                links[path] = os.path.relpath(seen_layers[digest], os.path.dirname(path))
            elif path not in files:
                files[path] = blob
                layer_members.append(path)
            seen_layers.setdefault(digest, path)
            paths.append(path)
        config = {"architecture": spec.get("arch", "amd64"), "os": "linux",
                  "config": img.get("config", {}),
                  "rootfs": {"type": "layers", "diff_ids": diffs}}
        cbytes = json.dumps(config, sort_keys=True).encode()
        chex = sha(cbytes)
        if img.get("corrupt_config"):
            cbytes = cbytes.replace(b"linux", b"Linux")
        if fmt.startswith("oci"):
            files["blobs/sha256/" + chex] = cbytes
            manifest = {"schemaVersion": 2, "mediaType": MT["manifest"],
                        "config": {"mediaType": MT["config"], "digest": "sha256:" + chex,
                                   "size": len(cbytes)},
                        "layers": descs}
            mbytes = json.dumps(manifest, sort_keys=True).encode()
            mhex = sha(mbytes)
            if img.get("corrupt_manifest"):
                mbytes = mbytes.replace(b"schemaVersion", b"schemaVersioN")
            files["blobs/sha256/" + mhex] = mbytes
            meta_members += ["blobs/sha256/" + chex, "blobs/sha256/" + mhex]
            desc = {"mediaType": MT["manifest"], "digest": "sha256:" + mhex, "size": len(mbytes)}
            if spec.get("nested"):
                other = dict(desc, platform={"architecture": "arm64", "os": "linux"})
                mine = dict(desc, platform={"architecture": "amd64", "os": "linux"})
                ib = json.dumps({"schemaVersion": 2, "mediaType": MT["index"],
                                 "manifests": [other, mine]}, sort_keys=True).encode()
                ihex = sha(ib)
                files["blobs/sha256/" + ihex] = ib
                meta_members.append("blobs/sha256/" + ihex)
                desc = {"mediaType": MT["index"], "digest": "sha256:" + ihex, "size": len(ib)}
            if img.get("name"):
                desc["annotations"] = {"org.opencontainers.image.ref.name": img["name"]}
            index.append(desc)
            report.append("%s sha256:%s sha256:%s" % (img.get("name", "-"), mhex, chex))
        else:
            files[chex + ".json"] = cbytes
            meta_members.append(chex + ".json")
            docker_manifest.append({"Config": chex + ".json",
                                    "RepoTags": [img["name"]] if img.get("name") else None,
                                    "Layers": paths})
            report.append("%s - sha256:%s" % (img.get("name", "-"), chex))
    if fmt.startswith("oci"):
        files["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
        files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": index}).encode()
        meta_members = ["oci-layout", "index.json"] + meta_members
    else:
        files["manifest.json"] = json.dumps(docker_manifest).encode()
        meta_members = ["manifest.json"] + meta_members
    if spec.get("first", "manifest") == "manifest":
        order = meta_members + layer_members
    else:
        order = layer_members + meta_members
    return files, links, order, report


def main():
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    files, links, order, report = build(spec)
    if spec["format"].endswith("dir"):
        for path in list(order) + list(links):
            full = os.path.normpath(os.path.join(out, path))
            if not full.startswith(os.path.normpath(out) + "/"):
                raise SystemExit("mkoci: %s is outside %s; hostile paths only in archives" % (path, out))
        for path in order:
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(files[path])
        for path, target in links.items():
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            os.symlink(target, full)
    else:
        with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
            made = set()
            for path in order + sorted(links):
                parts = path.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    d = "/".join(parts[:i])
                    if d not in made:
                        made.add(d)
                        ti = tarfile.TarInfo(d)
                        ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                        tar.addfile(ti)
                ti = tarfile.TarInfo(path)
                ti.mtime = 1700000000
                if path in links:
                    ti.type, ti.linkname = tarfile.SYMTYPE, links[path]
                    tar.addfile(ti)
                else:
                    ti.size, ti.mode = len(files[path]), 0o644
                    tar.addfile(ti, io.BytesIO(files[path]))
    print("\n".join(report))


main()
