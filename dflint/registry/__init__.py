"""Which platforms a FROM image exists for.

Layers, first that answers (see ``resolver``): the on-disk cache, the live registry, a stale
cache entry, the offline tables (an imported official-images table, then the one shipped with
dflint), else "unknown" with the reason. Modules:

``cache``      the on-disk cache (atomic writes, TTL, digest entries)
``client``     the registry client over httpx (imported only when the network is needed)
``offline``    the built-in table and the imported official-images table
``official_images``  ``dflint data import-official-images``
``resolver``   the layers, run concurrently for all the images of a run
``stages``     the base image of each stage, resolved, for rules and the matrix
"""
