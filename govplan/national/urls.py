"""The national pages (each view declares its access, govplan.access.policies)."""

from django.urls import URLPattern, path

from govplan.national.views import budgets, completeness, dashboard, pivot, targets

urlpatterns: list[URLPattern] = [
    path("completeness/", completeness.index, name="national_completeness_index"),
    path(
        "completeness/<str:code>/v<int:number>/", completeness.cycle, name="national_completeness"
    ),
    path(
        "completeness/<str:code>/v<int:number>/units/",
        completeness.unit_list,
        name="national_completeness_list",
    ),
    path(
        "completeness/<str:code>/v<int:number>/remind/",
        completeness.remind,
        name="national_completeness_remind",
    ),
    path("budgets/", budgets.budget_overview, name="national_budgets"),
    path("budgets/export.<str:fmt>", budgets.budget_export, name="national_budget_export"),
    path("targets/", targets.target_overview, name="national_targets"),
    path("", dashboard.national_dashboard, name="national_dashboard"),
    path("units/<int:pk>/", dashboard.unit_dashboard, name="national_unit"),
    path("pivot/", pivot.pivot, name="national_pivot"),
    path("pivot/export.csv", pivot.pivot_csv, name="national_pivot_csv"),
    path("pivot/export.xlsx", pivot.pivot_xlsx, name="national_pivot_xlsx"),
]
