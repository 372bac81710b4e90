"""The database backends GovPlan runs on: Django's, with work done just before a commit
(precommit.py). settings.py names them in DATABASES."""
