"""Port v2: receive answers the message plus 1000, so a test sees which version served it."""

from runtime_toy_kernel import Port as OldPort

from update_runtime import Update


class Port(OldPort, type_name="Port", version=2):
    def receive(self) -> int:
        with self.cond:
            self.waiting += 1
            try:
                self._dsu_runtime.wait(self.cond, lambda: self.messages)
            finally:
                self.waiting -= 1
            return self.messages.pop(0) + 1000

    def serve(self) -> int:
        with self.cond:
            self.waiting += 1
            try:
                self._dsu_runtime.wait(self.cond, lambda: self.messages, deactivate=True)
            finally:
                self.waiting -= 1
            return self.messages.pop(0) + 2000


UPDATE = Update(name="port_v2", classes=(Port,), mode="eager")
