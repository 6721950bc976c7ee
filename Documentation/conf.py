# SPDX-License-Identifier: GPL-2.0-only
# Sphinx configuration of the tenstorrent driver's documentation.
# `make htmldocs` builds it into build/docs/html, warnings as errors.

import os
import re

project = "tenstorrent"
author = "tenstorrent-tracking maintainers"
copyright = "2026, " + author

# The version is the one DKMS installs: driver/dkms.conf's PACKAGE_VERSION.
with open(os.path.join(os.path.dirname(__file__), "..", "driver", "dkms.conf")) as f:
    release = re.search(r'^PACKAGE_VERSION="(.*)"$', f.read(), re.M).group(1)
version = release

# The ABI entries (ABI/testing/) are plain text in the kernel's format, read
# through literalinclude by abi.rst; the JSON is performance.rst's data.
exclude_patterns = ["ABI/testing", "performance-results.json"]

highlight_language = "none"
html_theme = "alabaster"
html_show_sourcelink = False
html_copy_source = False
