"""远程帮办: a family member's phone helps an elder's TV session from anywhere (docs/family-help.md).

``store`` keeps the help sessions in the database (so any instance answers either side), ``snapshot``
turns a rendered TV Screen into what the phone shows, ``tv`` holds the TV's screens and the poll the TV's
script (static/copilot.js) asks, ``phone`` the phone's plain pages.
"""
