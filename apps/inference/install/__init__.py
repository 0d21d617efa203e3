"""Installers that put a model into a directory the inference backends load.

Each installer builds its model in a temporary sibling directory, writes a `ModelManifest`
(`sputnik_model.json`) last, and renames the directory into place, so a directory that holds a manifest is a
complete model. Installers are idempotent: a destination that already holds a valid model is left as it is.
"""
