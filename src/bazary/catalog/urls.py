app_name = "bazary_catalog"

urlpatterns: list = []
