"""The statistics of assigned tasks (included by govplan/urls.py under programmes/)."""

from django.urls import URLPattern, path

from govplan.programmes import views_stats as stats

urlpatterns: list[URLPattern] = [
    path("statistics/", stats.national_statistics, name="national_statistics"),
    path(
        "statistics/export.xlsx",
        stats.national_statistics_xlsx,
        name="national_statistics_xlsx",
    ),
    path("statistics/tasks/", stats.statistics_tasks, name="programme_statistics_tasks"),
    path(
        "statistics/tasks/export.xlsx",
        stats.statistics_tasks_xlsx,
        name="programme_statistics_tasks_xlsx",
    ),
    path("<int:pk>/statistics/", stats.programme_statistics, name="programme_statistics"),
    path(
        "<int:pk>/statistics/export.xlsx",
        stats.programme_statistics_xlsx,
        name="programme_statistics_xlsx",
    ),
]
