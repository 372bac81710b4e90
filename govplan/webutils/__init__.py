"""What every app's views use, below the apps: addresses' and forms' inputs read one way
(``inputs``, ``forms``), a generated file as a download (``downloads``) and the request
middleware (``middleware``: control characters refused, Vietnamese first).

Not an app, and it imports no govplan app: ``govplan.web`` is the page shell (frame, home,
profile) at the top; apps import these utilities, never the shell.
"""
