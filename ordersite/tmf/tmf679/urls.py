"""TMF679 under /tmf-api/productOfferingQualification/v4/ (names in the tmf-api namespace, see ../urls.py)."""

from django.urls import path

from ordersite.tmf.tmf679 import views

urlpatterns = [
    path("productOfferingQualification", views.QualificationList.as_view(), name="qualifications"),
    # The official kit lists with a trailing slash: the same list, not a redirect.
    path("productOfferingQualification/", views.QualificationListWithSlash.as_view()),
    path(
        "productOfferingQualification/<str:qualification_id>", views.QualificationDetail.as_view(), name="qualification"
    ),
]
