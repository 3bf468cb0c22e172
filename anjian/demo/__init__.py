"""Demo and scale data for every app, in one place (``manage.py demo --enterprises N``).

``enterprises.py`` builds the base: real regions, grids, enterprises and venues, one account per
role. Then, for each installed app ``anjian.<app>`` in ``INSTALLED_APPS`` order, the module
``anjian/demo/<app>.py`` (when there is one) adds that app's records through its
``contribute(context: DemoContext) -> str``. ``bulk.py`` writes many rows fast (COPY on PostgreSQL).

Domain apps never import this package: demo data is a client of the apps, not part of them.
"""
