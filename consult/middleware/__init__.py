"""Pure ASGI middleware, one concern a module; ``consult.app`` stacks them in order."""
