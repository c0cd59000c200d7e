"""The resident process: `maintainer scan`'s modules kept imported between runs.

A scan that finds its caches warm spends about half its time importing click, pydantic, jinja2
and our own modules before it reads one file. The first scan therefore starts a process that
imports them once and waits on a Unix socket in a folder private to the user; later scans
hand it their arguments, working folder, environment and standard streams, and it forks a
child that runs the command exactly as the scan process would have (the way ``bazel``'s
server or Rails' Spring preloader work). The client then only relays signals and the exit
status.

- `protocol`: the socket's folder and name, the settings, the messages (standard library only:
  the client imports it on every scan).
- `client`: hands a command to the resident process, or starts one.
- `server`: the resident process (``python -m app.resident.server``).
"""
