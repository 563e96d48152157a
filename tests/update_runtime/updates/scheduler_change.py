"""A change to the scheduler, which is not reached through the table: must be refused."""

from update_runtime import Update

UPDATE = Update(name="scheduler_quantum", targets=("scheduler",))
