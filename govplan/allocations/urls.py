"""The central budget pool's pages (each view declares its access, govplan.access.policies)."""

from django.urls import URLPattern, path

from govplan.allocations import views, views_export

urlpatterns: list[URLPattern] = [
    path("", views.pool_list, name="allocation_pools"),
    path("<int:pk>/", views.pool_detail, name="allocation_pool"),
    path("<int:pk>/mark/", views.pool_mark, name="allocation_mark"),
    path("<int:pk>/scenarios/new/", views.scenario_new, name="allocation_scenario_new"),
    path("<int:pk>/compare/", views.scenario_compare, name="allocation_compare"),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/",
        views.scenario_detail,
        name="allocation_scenario",
    ),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/edit/",
        views.scenario_edit,
        name="allocation_scenario_edit",
    ),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/approve/",
        views.scenario_approve,
        name="allocation_scenario_approve",
    ),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/appendix.<str:fmt>",
        views_export.scenario_appendix,
        name="allocation_appendix",
    ),
    path("estimate/", views_export.estimate, name="allocation_estimate"),
    path("estimate/export.xlsx", views_export.estimate_xlsx, name="allocation_estimate_xlsx"),
]
