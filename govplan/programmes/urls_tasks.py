"""The URLs of programmes and tasks (included by govplan/urls.py under programmes/)."""

from django.urls import path

from govplan.programmes import views_import as imports
from govplan.programmes import views_tasks as tasks

urlpatterns = [
    path("", tasks.programme_list, name="programme_list"),
    path("new/", tasks.programme_create, name="programme_create"),
    path("<int:pk>/", tasks.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", tasks.programme_edit, name="programme_edit"),
    path("<int:pk>/tasks/new/", tasks.task_create, name="task_create"),
    path("<int:pk>/import/", imports.task_import, name="task_import"),
    path(
        "<int:pk>/import/<int:batch_id>/apply/",
        imports.task_import_apply,
        name="task_import_apply",
    ),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", tasks.task_delete, name="task_delete"),
    path("tasks/<int:pk>/progress/", tasks.task_progress, name="task_progress"),
    path("tasks/<int:pk>/complete/", tasks.task_complete, name="task_complete"),
    path(
        "tasks/<int:pk>/completion/<int:report_id>/",
        tasks.task_decide_completion,
        name="task_decide_completion",
    ),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/extension/", tasks.task_extension, name="task_extension"),
    path(
        "tasks/<int:pk>/extension/<int:extension_id>/",
        tasks.task_decide_extension,
        name="task_decide_extension",
    ),
    path(
        "tasks/<int:pk>/evidence/<int:report_id>/",
        tasks.task_evidence,
        name="task_evidence",
    ),
    path("units/<int:pk>/tasks/", tasks.unit_tasks, name="unit_tasks"),
]
