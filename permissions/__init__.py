"""The one place that decides what a user may see and do.

- `permissions.access`: what a user may see (`visible_*` querysets, `access_*` lookups that 404).
- `permissions.checks`: what a user may do (`can_*`, one function per rule, named for what it allows).
- `permissions.context`: the `can` object templates ask (`{% if can.oversee %}`).
- `permissions.admin`: the admin's rules, per model.

This package sits above the domain apps: it imports them, and views, template tags and the admin
import it. Domain models and services never do; they ask through the port `lib.authz`, which
`PermissionsConfig.ready()` wires to the checks here.
"""
