"""Fictional demo data (`manage.py load_demo`): a registry, one login per role, filled material.

Kept out of the domain apps so that `registry` holds only the registry; no other app imports `demo`.
"""
