"""Test helpers that build objects across apps (organisations, people, accounts, programmes).

Not an app: the highest layer, imported only by tests and conftest files. Helpers that need
nothing above core stay in upward/core/testing."""
