"""Shared loopback test site: a real HTTP server on 127.0.0.1 (``server``) and a synthetic
multi-outlet news site served by it (``newsite``)."""
