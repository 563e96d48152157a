"""The kernel's update modules, one per change of its history, loaded at run time by the runtime.

Each module defines ``UPDATE`` (what the runtime applies) and ``CHANGE`` (the ground truth: what
kind of change it is and why). :mod:`sample_kernel.catalogue` lists them in history order.
A later update may import an earlier one's module to reuse its unchanged code, as a new kernel
version is built on the previous one.
"""
