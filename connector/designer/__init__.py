"""The reference designer: a local web page that builds processes from the connector's descriptor.

:mod:`.server` serves the page (``static/``) and a small JSON API over loopback; :mod:`.workspace`
does the work behind it (browse and import through the wizard, save and load operation files,
run a process through the reference host). The page knows nothing about AtomSphere: its palette,
forms and filter editor come from ``plugin.yaml``.
"""
