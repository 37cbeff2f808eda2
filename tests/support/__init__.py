"""Helpers and fixtures shared by the test tiers.

Test modules import from here, never from one another (tests/unit/test_test_layout.py holds
that). Fixtures live here as plain functions and are registered by the conftest of each tier
that uses them, so a tier imports only what it needs (the unit tier never imports moto).
"""
