"""consult: the project package (settings, routing, accounts, reports, API).

Kept free of Django imports so that `python -m consult.infra.run` can start the
private Redis before Django reads its settings.
"""
