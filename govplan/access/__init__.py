"""The one scoping layer: who may reach which view, and which objects within it.

Views declare their access with a decorator from :mod:`govplan.access.policies`;
the DefaultDenyMiddleware refuses any view that declares nothing. Inside a view,
objects are loaded with :func:`govplan.access.scoping.get_for` or filtered with
:func:`govplan.access.scoping.visible_to`, never straight from a manager.
"""
