"""Conditions: the operators (one table), paths into a resource, and the compiler of condition trees."""
