from django.urls import include, path

urlpatterns = [
    path("api/", include("baodao.api_urls")),
    path("", include("baodao.web.urls")),
]
