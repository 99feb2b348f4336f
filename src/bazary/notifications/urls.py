app_name = "bazary_notifications"

urlpatterns: list = []
