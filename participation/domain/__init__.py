"""Pure domain rules: workflows, deadlines, thresholds, grounds and the audit chain.

Standard library only; nothing here imports Flask, SQLAlchemy or another part of the app.
"""
