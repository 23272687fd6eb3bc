"""Accounts and roles: users, jurisdictions, departments and memberships.

The bottom of the house: imports nothing from proposals or discussion.
"""
