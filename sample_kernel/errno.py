"""Error numbers the kernel returns in r3, negated, as Linux and K42 system calls do."""

from __future__ import annotations

EPERM = 1
ESRCH = 3
EINTR = 4
EAGAIN = 11
ENOMEM = 12
EINVAL = 22
EOPNOTSUPP = 95
