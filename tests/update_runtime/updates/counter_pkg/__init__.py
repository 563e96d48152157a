"""An update shipped as a package: the new class lives in a submodule."""

from update_runtime import Update

from .counter import Counter

UPDATE = Update(name="counter_pkg", classes=(Counter,))
