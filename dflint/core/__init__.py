"""The vocabulary every layer shares, with no dependency on any of them.

``platform``   OCI platforms: the one platform type, containerd's normalisation and matching
``archnames``  the one table of architecture spellings (uname -m, dpkg, apk, Go, Docker)
``reference``  the one image-reference type, normalised as the distribution grammar does
``findings``   a finding, its severity and its fix (what rules produce and formatters show)
"""
