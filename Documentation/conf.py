# SPDX-License-Identifier: GPL-2.0-only
# Sphinx configuration of the tenstorrent driver's documentation.
# `make htmldocs` builds it into build/docs/html, warnings as errors.

project = "tenstorrent"
author = "tenstorrent-tracking maintainers"
copyright = "2026, " + author

# The ABI entries (ABI/testing/) are plain text in the kernel's format, read
# through literalinclude by abi.rst; the JSON is performance.rst's data.
exclude_patterns = ["ABI/testing", "performance-results.json"]

highlight_language = "none"
html_theme = "alabaster"
html_show_sourcelink = False
