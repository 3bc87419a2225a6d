"""Configuration models, one module per feature: plain pydantic data that imports nothing of globewire.

``settings.Settings`` mounts them as sections (``[fetch]``, ``GLOBEWIRE_FETCH__…``); a feature imports its own
model from here. They sit in the base layer so that neither the settings nor a feature has to import another
package to know its configuration (docs/architecture.md).
"""
