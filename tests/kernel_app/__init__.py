"""A test-only module (installed only under pytest) proving that a new stateful model gets its
page buttons, forms, API routes, OpenAPI entries, audit, transition rows and scope coverage from
its declarations alone: models + workflow + registry + services, nothing outside this folder
except ``INSTALLED_APPS`` (anjian/settings.py adds it under pytest)."""
