"""Shared analysis for the SR4xx rules: lock identity, held locks, and resource lifetimes.

Not a rule package (leading underscore). Two families of facts live here so that every
race/deadlock/leak rule reads them the same way:

- locks: which expressions are locks (created by a known factory, or named like
  one), a stable identity for a lock (`Cls._lock`, `MODULE_LOCK`, `named:foo` for
  `lockutils.lock("foo")`), and the locks held at a node (enclosing `with` blocks,
  `acquire()`...`release()` regions, `@synchronized` decorators);
- resources: for a call that creates something that must be released (a file, a
  socket, a process, a temporary directory...), whether the value is released on
  every path (`with`, release in `finally`/`except`, a registered cleanup), escapes
  (returned, stored, handed to another call), or leaks.

Everything is local to one function (or the module body) and read-only.

Import each name from the module that holds it:

- `scopes`: `FUNCS`, the function holding a node (`scope_of`), walks that stay out of nested
  scopes (`walk_local`, `walk_stmts`), `in_cleanup` (finally/except), `dotted`, `has_call`.
- `lock_factories`: lock factories (`LOCK_FACTORIES`, `ASYNC_FACTORIES`, `is_reentrant`),
  lock-like names (`lockish_name`), `LOCK_HELPER_NAMES`.
- `lock_identity`: where a lock was created (`class_locks`, `module_locks`, `lock_creation`),
  `is_lock`, and a stable key for a lock (`lock_key`).
- `lock_regions`: locks held at a node (`held_locks`), lock `with` items, `lock.acquire()`/`release()`
  statements (`lock_call`), `@synchronized` decorators.
- `shared_state`: the state a lock guards for unsynchronized-shared-state (`Owner`, `class_owner`,
  `module_owner`, `collect_guarded`, `never_taken`), functions that run with the lock held by contract
  (`locked_functions`), what changes the state (`mutation_of`), locks held at a node (`held`).
- `path_owners`: who can write where a path lives (`directory_kind`: mkdtemp / config / shared) and
  privileged code (`privileged`: privsep entrypoints and packages), for toctou-file-check.
- `resource_spec`: `Spec` (how a kind of resource is released), `Lifetime` (the verdict record),
  borrowing calls and registered cleanups.
- `resource_flow`: where a created value goes (its binding, its uses, what each use does).
- `resource_verdict`: `lifetime` (the verdict for one created resource), `describe` and `leak_hit`.

Source text of a node: use the shared `ctx.segment(node)`.
"""
