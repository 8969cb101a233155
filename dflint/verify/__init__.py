"""``dflint verify``: prove that each platform's image of a tag holds binaries for it.

``sources``   where the image is read from: a registry, an OCI layout, a docker-archive
``layers``    a layer read as it streams (decompression, tar, whiteouts), never written out
``binaries``  ELF, PE and Mach-O headers, mapped to OCI platforms
``provenance``  which instruction made a layer (config history, BuildKit provenance)
``engine``    the run: manifests, configs, layers read concurrently, judging
``report``    text, json, sarif and github output
"""
